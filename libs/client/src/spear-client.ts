import type { MsgEvent, ReadyEvent } from '@spear/protocol';
import { MAX_ACK_IDS, type AckRequest } from './ack-batcher';
import { Delivery, seqOf } from './delivery';
import { SpearError } from './errors';
import { EventHub, type Handler } from './event-hub';
import type { SpearEvents } from './events';
import { GroupRejoin } from './group-rejoin';
import { GroupTracker } from './group-tracker';
import { Link } from './link';
import { resolveOptions, type ConnectOptions, type ResolvedOptions } from './options';
import { Requests } from './requests';
import type { HistoryQuery, Sent, SpearStats } from './client-types';

/** Events that arrive before the app can subscribe are held, at most this many per kind. */
const HOLD_LIMIT = 10_000;

/** close() keeps the connection this long at most for the server to answer the last acks. */
const CLOSE_ACK_MS = 2000;

/**
 * A user's connection to Spear, kept alive across drops and node migrations.
 * Create it with `connect()`.
 *
 * Guarantees:
 * - every message reaches the app once, as long as its id is within the
 *   dedupe window or its seq at or below the device's confirmed cumulative
 *   ack (the server delivers 1:1 messages at-least-once);
 * - 1:1 messages are kept by the server until acked, so a message is lost
 *   to the app only if it was acked (by the SDK in 'auto' mode, after its
 *   handlers finished, within `ackDelayMs`; by the app in 'manual' mode);
 * - acks are cumulative (`upTo`) where the seqs a connection delivered have
 *   no hole below, by id otherwise; a message whose handler failed is never
 *   acked, whichever way;
 * - groups the app joined are rejoined on every new connection from the last
 *   message seen in each (see `join`);
 * - calls made while reconnecting wait for the new connection, up to `timeoutMs`.
 */
export class SpearClient {
  private readonly hub: EventHub<SpearEvents>;
  private readonly groups = new GroupTracker();
  private readonly rejoins: GroupRejoin;
  private readonly delivery: Delivery;
  private readonly link: Link;
  private readonly requests: Requests;
  private ready?: ReadyEvent;
  private reconnects = 0;
  private closed = false;

  private constructor(private readonly options: ResolvedOptions) {
    this.hub = new EventHub<SpearEvents>({
      holdable: ['msg', 'group', 'broadcast', 'gap'],
      holdLimit: HOLD_LIMIT,
      onDispatch: (kind, payload, settled) => this.delivery.settled(kind, payload, settled),
      onDropHeld: (kind, payload) => this.delivery.droppedHeld(kind, payload),
    });
    this.delivery = new Delivery(this.hub, this.groups, options.ackMode, options.dedupeWindow, (ack) => this.sendAck(ack), options.ackDelayMs);
    this.rejoins = new GroupRejoin(this.groups, () => this.link.session, (error) => this.hub.emit('error', error), options);
    this.link = new Link(options, {
      // Nothing after close(): a connection kept open for the last acks may still deliver.
      onDelivery: (kind, payload, session) => {
        if (!this.closed) this.delivery.receive(kind, payload, session);
      },
      onOpened: (ready) => this.opened(ready),
      prepare: (session) => this.rejoins.all(session),
      onAdopted: (ready, attempts) => this.adopted(ready, attempts),
      onReconnecting: (info) => this.hub.emit('reconnecting', info),
      onKicked: (reason) => {
        this.hub.emit('kicked', { reason });
        this.shutdown(new SpearError('kicked', `kicked by the server: ${reason}`));
      },
      onFatal: (error) => {
        this.hub.emit('error', error);
        this.shutdown(error);
      },
    });
    this.requests = new Requests(this.link, options.timeoutMs);
  }

  /**
   * Gets a ticket, connects, and resolves after the server's first `ready`.
   * Retries transient failures (no node, rate limits, refused handshakes)
   * with backoff for up to `connectTimeoutMs`; rejects at once on a
   * permanent one (`invalid_token`, `bad_request`).
   */
  static async connect(options: ConnectOptions): Promise<SpearClient> {
    const client = new SpearClient(resolveOptions(options));
    try {
      await client.link.start();
    } catch (error) {
      client.shutdown(error instanceof SpearError ? error : new SpearError('internal', String(error)));
      throw error;
    }
    return client;
  }

  get uid(): string {
    return this.options.uid;
  }

  /** The ready event of the latest connection adopted (its node and session id); set once connect() resolved. */
  get session(): ReadyEvent | undefined {
    return this.ready;
  }

  /** True while a connection is up; calls made while false wait for the next one. */
  get connected(): boolean {
    return this.link.session?.connected ?? false;
  }

  get stats(): SpearStats {
    return { ...this.delivery.stats, reconnects: this.reconnects };
  }

  /** Adds a handler (see SpearEvents for each event's guarantees); returns a function that removes it. */
  on<K extends keyof SpearEvents>(event: K, handler: Handler<SpearEvents[K]>): () => void {
    return this.hub.on(event, handler);
  }

  off<K extends keyof SpearEvents>(event: K, handler: Handler<SpearEvents[K]>): void {
    this.hub.off(event, handler);
  }

  /**
   * Sends `body` (any JSON value) to user `to`. Resolves once the server
   * stored it for the recipient. Rejects with the refusal's code
   * (`bad_request`, `too_large`, `rate_limited`, `internal`), `timeout`,
   * `closed`, or `disconnected` when the connection dropped before the
   * server answered (it may have been stored: retrying may deliver it twice,
   * under two ids; `cid` lets the recipient tell).
   */
  async send(to: string, body: unknown, cid?: string): Promise<Sent> {
    const { ack, session } = await this.requests.request('send', { to, body, ...(cid === undefined ? {} : { cid }) }, false);
    const sent: Sent = { id: ack.id as string, ts: ack.ts as number };
    const seq = seqOf(ack);
    if (seq === undefined) return sent;
    this.delivery.sent(sent.id, seq, session);
    return { ...sent, seq };
  }

  /** Publishes `body` to `group`; resolves once it is in the group's history. Rejects like `send`. */
  async publish(group: string, body: unknown, cid?: string): Promise<Sent> {
    const { ack } = await this.requests.request('publish', { group, body, ...(cid === undefined ? {} : { cid }) }, false);
    return { id: ack.id as string, ts: ack.ts as number };
  }

  /**
   * Joins `group`: its messages arrive as `group` events, from after `since`
   * (a message id) when given, and the client rejoins it on every new
   * connection from the last message seen. Rejects with `bad_request`,
   * `history_gone` (messages after `since` were trimmed), `timeout`, `closed`.
   *
   * Without `since` and before any message of the group arrived, a rejoin has
   * nothing to start from, so messages published while reconnecting are not
   * replayed (the server offers no "latest id" for a group).
   */
  async join(group: string, since?: string): Promise<void> {
    const wasIn = this.groups.has(group);
    // Recorded before the server answers: a connection being prepared right now must include it.
    this.groups.joined(group, since);
    try {
      const { session } = await this.requests.request('join', since === undefined ? { group } : { group, since }, true);
      this.rejoins.alsoOnCurrent(session, () => this.groups.rejoin(group), 'join');
    } catch (error) {
      if (!wasIn) this.groups.left(group);
      throw error;
    }
  }

  /** Leaves `group`: no more `group` events for it, and no rejoin. */
  async leave(group: string): Promise<void> {
    this.groups.left(group);
    const { session } = await this.requests.request('leave', { group }, true);
    this.rejoins.alsoOnCurrent(session, () => (this.groups.has(group) ? undefined : { group }), 'leave');
  }

  /**
   * Acks 1:1 messages by id (ackMode 'manual'; allowed in 'auto' too): the
   * server stops redelivering them to this device. Waits for
   * a connection and retries across reconnects, within `timeoutMs`.
   */
  async ack(ids: readonly string[]): Promise<void> {
    const unique = [...new Set(ids)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += MAX_ACK_IDS) chunks.push(unique.slice(i, i + MAX_ACK_IDS));
    await Promise.all(chunks.map((chunk) => this.requests.request('ack', { ids: chunk }, true)));
  }

  /**
   * Acks, for this device, every 1:1 message with a seq up to `seq`
   * (PROTOCOL.md v1.1; the server clamps it to its last seq). For ackMode
   * 'manual' (allowed in 'auto' too). Redeliveries at or below it are then
   * dropped as duplicates. Rejects with `bad_request` (not an integer >= 1),
   * `timeout`, `closed`.
   */
  async ackUpTo(seq: number): Promise<void> {
    await this.requests.request('ack', { upTo: seq }, true);
    this.delivery.confirmed(seq);
  }

  /**
   * Calls `method` on the app's backend through the gateway (PROTOCOL.md
   * v1.1) and resolves with what it answered. Rejects with `not_found` (no
   * route), `unavailable`, `timeout`, `forbidden`, `rate_limited`,
   * `too_large`, `bad_request`, a code the backend chose (lowercase snake
   * case), or `disconnected` when the connection dropped before the answer:
   * a call is never repeated by the SDK (the backend may have run it).
   */
  async rpc<T = unknown>(method: string, data?: unknown): Promise<T> {
    const { ack } = await this.requests.request('rpc', data === undefined ? { method } : { method, data }, false);
    return (ack.data ?? null) as T;
  }

  /**
   * This user's own log (the server keeps the last N messages for at most D
   * days, acked or not), newest first, each with its `seq`. Page back with
   * `before` = the lowest seq received. Nothing is acked or handed to `msg`
   * handlers. Rejects with `bad_request`, `timeout`, `closed`.
   */
  async history(query: HistoryQuery = {}): Promise<MsgEvent[]> {
    const payload: HistoryQuery = {};
    if (query.with !== undefined) payload.with = query.with;
    if (query.before !== undefined) payload.before = query.before;
    if (query.limit !== undefined) payload.limit = query.limit;
    const { ack } = await this.requests.request('history', payload, true);
    if (!Array.isArray(ack.messages)) throw new SpearError('internal', 'malformed history answer from server');
    return ack.messages as MsgEvent[];
  }

  /**
   * Moves to a fresh connection now, make-before-break (the current one
   * stays in use until the new one is ready). Resolves when it is in use.
   */
  reconnect(): Promise<void> {
    return this.requests.guard(async () => {
      const adopted = this.link.nextAdopted(Date.now() + this.options.connectTimeoutMs);
      this.link.reconnect('manual', 0);
      await adopted;
    });
  }

  /**
   * Stops for good: sends the acks still batched (not those of handlers
   * still running: their messages come back on a later connection), closes the connection,
   * stops reconnecting, and rejects pending calls with `closed`. Idempotent.
   */
  close(): void {
    this.shutdown(new SpearError('closed', 'the client was closed'));
  }

  private shutdown(error: SpearError): void {
    if (this.closed) return;
    this.closed = true;
    const session = this.link.session;
    const acks = this.delivery.acks.drain();
    // As calls, and the connection closed once they are answered: socket.io's server drops an
    // event that it reads right before the client's disconnect, unhandled.
    if (session) for (const ack of acks) void session.call('ack', ack, CLOSE_ACK_MS);
    this.requests.close(error);
    this.link.close(error, session && acks.length ? CLOSE_ACK_MS : 0);
  }

  private sendAck(ack: AckRequest): void {
    this.requests.request('ack', ack, true).then(
      () => {
        if ('upTo' in ack) this.delivery.confirmed(ack.upTo);
      },
      (error: unknown) => {
        if ('upTo' in ack) this.delivery.ackFailed();
        // Not fatal: the messages come back on a later connection and are acked again then.
        if (!this.closed) this.hub.emit('error', error instanceof SpearError ? error : new SpearError('internal', String(error)));
      },
    );
  }

  /** A connection got its ready: a gap (said once by the server) is reported even if this attempt fails later. */
  private opened(ready: ReadyEvent): void {
    if (ready.gap === true) this.hub.emit('gap', { reason: 'retention', sessionId: ready.sessionId, device: ready.device });
  }

  private adopted(ready: ReadyEvent, attempts: number): void {
    this.ready = ready;
    this.hub.emit('ready', ready);
    if (attempts === 0) return;
    this.reconnects++;
    this.hub.emit('reconnected', { node: ready.node, sessionId: ready.sessionId, attempts });
  }
}
