import type { ReadyEvent } from '@spear/protocol';
import { MAX_ACK_IDS } from './ack-batcher';
import { backoffDelay } from './backoff';
import { Delivery } from './delivery';
import { SpearError } from './errors';
import { EventHub, type Handler } from './event-hub';
import type { SpearEvents } from './events';
import { GroupTracker, type Rejoin } from './group-tracker';
import { Link } from './link';
import { resolveOptions, type ConnectOptions, type ResolvedOptions } from './options';
import { Requests } from './requests';
import type { Session } from './session';

/** What `send` and `publish` resolve with: the message's id and server timestamp (epoch ms). */
export interface Sent {
  id: string;
  ts: number;
}

/** Counters: messages handed over, duplicates dropped, reconnections made. */
export interface SpearStats {
  delivered: number;
  duplicates: number;
  reconnects: number;
}

/** Events that arrive before the app can subscribe are held, at most this many per kind. */
const HOLD_LIMIT = 10_000;

/** A rejoin refused with rate_limited is retried this many times (with backoff) before it is reported. */
const REJOIN_RETRIES = 5;

/**
 * A user's connection to Spear, kept alive across drops and node migrations.
 * Create it with `connect()`.
 *
 * Guarantees:
 * - every message reaches the app once, as long as its id is within the
 *   dedupe window (the server delivers 1:1 messages at-least-once);
 * - 1:1 messages are kept by the server until acked, so a message is lost
 *   to the app only if it was acked (by the SDK in 'auto' mode, after its
 *   handlers finished; by the app in 'manual' mode);
 * - groups the app joined are rejoined on every new connection from the last
 *   message seen in each (see `join`);
 * - calls made while reconnecting wait for the new connection, up to `timeoutMs`.
 */
export class SpearClient {
  private readonly hub: EventHub<SpearEvents>;
  private readonly groups = new GroupTracker();
  private readonly delivery: Delivery;
  private readonly link: Link;
  private readonly requests: Requests;
  private ready?: ReadyEvent;
  private reconnects = 0;
  private closed = false;

  private constructor(private readonly options: ResolvedOptions) {
    this.hub = new EventHub<SpearEvents>({
      holdable: ['msg', 'group', 'broadcast'],
      holdLimit: HOLD_LIMIT,
      onDispatch: (kind, payload, settled) => this.delivery.settled(kind, payload, settled),
      onDropHeld: (kind, payload) => this.delivery.droppedHeld(kind, payload),
    });
    this.delivery = new Delivery(this.hub, this.groups, options.ackMode, options.dedupeWindow, (ids) => this.sendAcks(ids));
    this.link = new Link(options, {
      onDelivery: (kind, payload) => this.delivery.receive(kind, payload),
      prepare: (session) => this.rejoinAll(session),
      onAdopted: (ready, attempts) => this.adopted(ready, attempts),
      onReconnecting: (info) => this.hub.emit('reconnecting', info),
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
    const { ack } = await this.requests.request('send', { to, body, ...(cid === undefined ? {} : { cid }) }, false);
    return { id: ack.id as string, ts: ack.ts as number };
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
      this.alsoOnCurrent(session, () => this.groups.rejoin(group), 'join');
    } catch (error) {
      if (!wasIn) this.groups.left(group);
      throw error;
    }
  }

  /** Leaves `group`: no more `group` events for it, and no rejoin. */
  async leave(group: string): Promise<void> {
    this.groups.left(group);
    const { session } = await this.requests.request('leave', { group }, true);
    this.alsoOnCurrent(session, () => (this.groups.has(group) ? undefined : { group }), 'leave');
  }

  /**
   * Acks 1:1 messages by id (ackMode 'manual'; allowed in 'auto' too): the
   * server drops them from the inbox and stops redelivering them. Waits for
   * a connection and retries across reconnects, within `timeoutMs`.
   */
  async ack(ids: readonly string[]): Promise<void> {
    const unique = [...new Set(ids)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += MAX_ACK_IDS) chunks.push(unique.slice(i, i + MAX_ACK_IDS));
    await Promise.all(chunks.map((chunk) => this.requests.request('ack', { ids: chunk }, true)));
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
   * Stops for good: sends the acks still batched, closes the connection,
   * stops reconnecting, and rejects pending calls with `closed`. Idempotent.
   */
  close(): void {
    this.shutdown(new SpearError('closed', 'the client was closed'));
  }

  private shutdown(error: SpearError): void {
    if (this.closed) return;
    this.closed = true;
    const ids = this.delivery.acks.drain();
    const session = this.link.session;
    // Written before the socket closes: the transport flushes its buffer before it shuts.
    for (let i = 0; i < ids.length; i += MAX_ACK_IDS) session?.notify('ack', { ids: ids.slice(i, i + MAX_ACK_IDS) });
    this.requests.close(error);
    this.link.close(error);
  }

  private sendAcks(ids: string[]): void {
    this.requests.request('ack', { ids }, true).catch((error: unknown) => {
      // Not fatal: the messages come back on a later connection and are acked again then.
      if (!this.closed) this.hub.emit('error', error instanceof SpearError ? error : new SpearError('internal', String(error)));
    });
  }

  /** Joins every tracked group on a new session, including groups joined while this runs. */
  private async rejoinAll(session: Session): Promise<void> {
    const done = new Set<string>();
    for (;;) {
      const todo = this.groups.rejoins().filter((r) => !done.has(r.group));
      if (!todo.length) return;
      await Promise.all(todo.map((r) => this.rejoin(session, r)));
      for (const r of todo) done.add(r.group);
    }
  }

  private async rejoin(session: Session, { group, since }: Rejoin, attempt = 0): Promise<void> {
    const outcome = await session.call('join', since === undefined ? { group } : { group, since }, this.options.timeoutMs);
    if (!('ack' in outcome)) throw new SpearError(outcome.lost, `rejoining ${group}: ${outcome.lost}`);
    if (outcome.ack.ok) return;
    const { code, message } = outcome.ack.error;
    if (code === 'history_gone' && since !== undefined) {
      // The gap cannot be replayed: say so, and at least be back in the group from now on.
      this.hub.emit('error', new SpearError(code, `rejoined ${group}, but messages after ${since} are gone: ${message}`, group));
      this.groups.restart(group);
      return this.rejoin(session, { group });
    }
    if (code === 'rate_limited' && attempt < REJOIN_RETRIES) {
      // Many groups rejoined at once can exceed the connection's event budget; it refills within a second.
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, this.options.backoff)));
      return this.rejoin(session, { group, ...(since === undefined ? {} : { since }) }, attempt + 1);
    }
    // Only a malformed join is given up for good; otherwise the next connection tries again.
    if (code === 'bad_request') this.groups.left(group);
    this.hub.emit('error', new SpearError(code, `could not rejoin ${group}: ${message}`, group));
  }

  /**
   * A join/leave answered by a session that is no longer the one in use (it
   * was replaced meanwhile): repeat it on the current one, whose rejoin may
   * have run before or without it.
   */
  private alsoOnCurrent(answered: Session, payload: () => Rejoin | undefined, event: 'join' | 'leave'): void {
    const current = this.link.session;
    const p = payload();
    if (!current || current === answered || !p) return;
    void current.call(event, p, this.options.timeoutMs).then((outcome) => {
      if ('ack' in outcome && !outcome.ack.ok) this.hub.emit('error', new SpearError(outcome.ack.error.code, `${event} ${p.group}: ${outcome.ack.error.message}`, p.group));
    });
  }

  private adopted(ready: ReadyEvent, attempts: number): void {
    this.ready = ready;
    this.hub.emit('ready', ready);
    if (attempts === 0) return;
    this.reconnects++;
    this.hub.emit('reconnected', { node: ready.node, sessionId: ready.sessionId, attempts });
  }
}
