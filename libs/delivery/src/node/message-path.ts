import type { Bus, Envelope } from '@spear/bus';
import { encodedSize, isReservedUid, ProtocolError, type GroupEvent, type MsgEvent } from '@spear/protocol';
import type { StoreKind } from '../log/user-log';
import type { IdSource } from './cluster';
import type { MessageStore } from './delivery-store';
import { TokenBucket } from './token-bucket';

/**
 * How long an ack waits for a group publish to leave: a bus that is down
 * (Kafka times out after 5 s) must not hold every publish that long; the
 * message is in the history either way. Directed publishes are bounded by the
 * bus itself (its publish wait).
 */
const FORWARD_WAIT_MS = 1000;

/** At most this many refused forwards wait for their retry at once: a long outage must not pile up timers and bodies (64 KiB each at most). */
const MAX_RETRIES_WAITING = 2_000;

/** The node's own sessions, when the path runs inside a spear node: its recipients skip the bus. */
export interface LocalDelivery {
  readonly nodeId: string;
  deliverLocal(envelope: Envelope): void;
}

/** What a writer gets back: the stored message's id and timestamp (a send's or publish's ack); `seq`: the sender copy's. */
export interface Sent {
  id: string;
  ts: number;
  seq?: number;
}

/**
 * How much one sender may store for recipients that are offline (or unknown):
 * what keeps one user from filling others' logs while nobody reads them.
 */
export interface SenderQuota {
  /** May `uid` store one more message for an offline recipient now? */
  offlineAllowed(uid: string): boolean;
  /** `uid` just did. */
  chargeOffline(uid: string): void;
}

/** What the path is told by the profile. */
export interface MessagePathOptions {
  maxBodyBytes: number;
  /** Append each send to its sender's log too (PROTOCOL.md "sender copies"). */
  senderCopies: boolean;
  /** Who writes: a spear node stores `send`s (every quota), ticket's push API `push`es (the bytes quota only). */
  kind: Exclude<StoreKind, 'copy'>;
  /** Bytes of 1:1 bodies this writer may store per second (the node's store budget): `rate_limited` past it. */
  storeBytesPerSecond?: number;
  /** A directed forward the bus refused is published once more this long after (default 1000 ms; 0: never). */
  forwardRetryMs?: number;
  senders?: SenderQuota;
}


/**
 * The one path every message takes into the system, from a spear connection
 * or from ticket's push API: body checked, id assigned, stored, then
 * forwarded only where it is needed.
 *
 * Guarantees:
 * - `toUser` resolves only after the message is in the recipient's log (as
 *   durably as the profile says; delivered to every device until each acks
 *   it) and its forward has left this process (handed to local sessions, and
 *   published by the store's append or answered by the bus within its
 *   publish wait), so an ack never precedes a
 *   forward that a crash of this node could still lose. The forward itself
 *   is at-most-once (published by the store's own append when it says
 *   `forwarded`, atomically with the write; one that the bus refused is published once more after
 *   `forwardRetryMs`: the bus may be back, and no later message may come to
 *   show the recipient's node the hole); a connection that misses it gets it
 *   from the log once a later message shows the hole (HoleRepair), a device
 *   at its next connection. With sender copies, the message is then appended to
 *   the sender's log and forwarded to the sender's other connections (a copy
 *   that fails to store is not an error of the send: the recipient has it).
 * - `toGroup` likewise with the group's history (forward waited for up to
 *   FORWARD_WAIT_MS).
 * - `broadcast` is not stored: at-most-once to every node.
 * - Refusals are ProtocolErrors with nothing stored: `bad_request` (no
 *   body), `too_large`, `rate_limited` (the node's store budget, the sender's
 *   offline budget, a full recipient log), `forbidden` (an unknown recipient
 *   where only known users may receive).
 */
export class MessagePath {
  private readonly storeBudget?: TokenBucket;
  private retriesWaiting = 0;

  constructor(
    private readonly store: MessageStore,
    private readonly bus: Bus,
    private readonly ids: IdSource,
    private readonly options: MessagePathOptions,
    private readonly local?: LocalDelivery,
  ) {
    const rate = options.storeBytesPerSecond;
    if (rate) this.storeBudget = new TokenBucket(rate, rate);
  }

  /** `origin`: the sending connection's session id (it does not get its own sender copy). */
  async toUser(from: string, to: string, body: unknown, cid?: string, origin?: string): Promise<Sent> {
    this.chargeStore(this.checkBody(body));
    return this.storeAndForward(from, to, body, cid, origin);
  }

  /** The same body to several users, one id each (the push API); resolves when all are stored. */
  async toUsers(from: string, uids: readonly string[], body: unknown): Promise<string[]> {
    const size = this.checkBody(body); // once, not per recipient: a 64 KiB body is encoded to measure it
    this.chargeStore(size * uids.length);
    const sent = await Promise.all(uids.map((to) => this.storeAndForward(from, to, body)));
    return sent.map((s) => s.id);
  }

  private async storeAndForward(from: string, to: string, body: unknown, cid?: string, origin?: string): Promise<Sent> {
    const { senders, kind } = this.options;
    const message: MsgEvent = { id: await this.ids.next(), from, to, body, ts: Date.now(), ...(cid ? { cid } : {}) };
    // One store call writes the message and reads where its recipient is connected.
    const stored = await this.store.storeMessage(message, { kind, offlineAllowed: senders?.offlineAllowed(from) ?? true });
    if (stored.nodes.length === 0) senders?.chargeOffline(from);
    const envelope: Envelope = { t: 'msg', p: { ...message, seq: stored.seq } };
    // The store may have published it to the other nodes already (forwarded): then only this node's sessions are left.
    const forwarded = this.forward(stored.nodes, envelope, !stored.forwarded);
    // Server-side senders (reserved uids: system, svc:*) have no log of their own, so no sender copy.
    if (!this.options.senderCopies || from === to || isReservedUid(from)) {
      await forwarded;
      return { id: message.id, ts: message.ts };
    }
    const [, seq] = await Promise.all([forwarded, this.copyToSender(message, origin)]);
    return { id: message.id, ts: message.ts, ...(seq === undefined ? {} : { seq }) };
  }

  /** The sender copy: in the sender's log, then to the sender's other connections. Resolves to its seq (undefined: not stored). */
  private async copyToSender(message: MsgEvent, origin: string | undefined): Promise<number | undefined> {
    const copy = await this.store.storeMessage(message, { kind: 'copy' }).catch(() => undefined);
    if (!copy) return undefined;
    await this.forward(copy.nodes, { t: 'msg', p: { ...message, seq: copy.seq }, owner: message.from, ...(origin ? { skip: origin } : {}) });
    return copy.seq;
  }

  async toGroup(from: string, group: string, body: unknown): Promise<Sent> {
    this.checkBody(body);
    const message: GroupEvent = { id: await this.ids.next(), group, from, body, ts: Date.now() };
    await this.store.appendGroup(message);
    await bounded(this.bus.publishToGroup(group, { t: 'group', p: message }));
    return { id: message.id, ts: message.ts };
  }

  async broadcast(body: unknown): Promise<Sent> {
    this.checkBody(body);
    const message = { id: await this.ids.next(), body, ts: Date.now() };
    await this.bus.publishBroadcast({ t: 'broadcast', p: message });
    return { id: message.id, ts: message.ts };
  }

  /** Resolves to the body's encoded size when it may be sent. */
  /** Throws `bad_request` (no body) or `too_large`; resolves to the body's encoded size. */
  checkBody(body: unknown): number {
    if (body === undefined) throw new ProtocolError('bad_request', 'body: required');
    const size = encodedSize(body);
    if (size > this.options.maxBodyBytes) throw new ProtocolError('too_large', `body is larger than ${this.options.maxBodyBytes} bytes`);
    return size;
  }

  private chargeStore(bytes: number): void {
    if (this.storeBudget && !this.storeBudget.take(Date.now(), bytes)) throw new ProtocolError('rate_limited', "this node's store budget is spent; retry shortly");
  }

  /** To this node's sessions directly, and (`viaBus`) to the other `nodes` through the bus. */
  private async forward(nodes: string[], envelope: Envelope, viaBus = true): Promise<void> {
    const { local } = this;
    const here = local !== undefined && nodes.includes(local.nodeId);
    if (here) local.deliverLocal(envelope);
    if (!viaBus) return;
    const remote = here ? nodes.filter((n) => n !== local.nodeId) : nodes;
    // At-most-once: the log already holds it; the bus bounds how long this may wait.
    if (remote.length > 0) await this.bus.publishToNodes(remote, envelope).catch(() => this.retryLater(remote, envelope));
  }

  /** One more try of a refused forward, later; a duplicate is harmless (clients drop it by id). */
  private retryLater(nodes: string[], envelope: Envelope): void {
    const delay = this.options.forwardRetryMs ?? 1000;
    if (delay <= 0 || this.retriesWaiting >= MAX_RETRIES_WAITING) return;
    this.retriesWaiting++;
    setTimeout(() => {
      this.retriesWaiting--;
      this.bus.publishToNodes(nodes, envelope).catch(ignore);
    }, delay).unref();
  }
}

const ignore = (): undefined => undefined;

/** `work` settled, or nothing after FORWARD_WAIT_MS; never rejects. */
function bounded(work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, FORWARD_WAIT_MS)));
  return Promise.race([work.then(() => undefined, () => undefined), timeout]).finally(() => clearTimeout(timer));
}
