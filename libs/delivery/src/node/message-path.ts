import type { Bus, Envelope } from '@spear/bus';
import { encodedSize, ProtocolError, type GroupEvent, type MsgEvent } from '@spear/protocol';
import type { IdSource } from './cluster';
import type { MessageStore } from './delivery-store';

/**
 * How long an ack waits for a group publish to leave: a bus that is down
 * (Kafka times out after 5 s) must not hold every publish that long; the
 * message is in the history either way. Directed publishes are bounded by the
 * bus itself (its publish wait).
 */
const FORWARD_WAIT_MS = 1000;

/** The node's own sessions, when the path runs inside a spear node: its recipients skip the bus. */
export interface LocalDelivery {
  readonly nodeId: string;
  deliverLocal(envelope: Envelope): void;
}

/** What a writer gets back: the stored message's id and timestamp (a send's or publish's ack). */
export interface Sent {
  id: string;
  ts: number;
}

/**
 * The one path every message takes into the system, from a spear connection
 * or from ticket's push API: body checked, id assigned, stored, then
 * forwarded only where it is needed.
 *
 * Guarantees:
 * - `toUser` resolves only after the message is in the recipient's inbox
 *   (durable until acked) and its forward has left this process (handed to
 *   local sessions, or answered by the bus within its publish wait), so an ack
 *   never precedes a forward that a crash of this node could still lose. The
 *   forward itself is at-most-once; a recipient that misses it gets the
 *   message from its inbox on its next connection.
 * - `toGroup` likewise with the group's history (forward waited for up to
 *   FORWARD_WAIT_MS).
 * - `broadcast` is not stored: at-most-once to every node.
 * - Refusals are ProtocolErrors: `bad_request` (no body), `too_large`.
 */
export class MessagePath {
  constructor(
    private readonly store: MessageStore,
    private readonly bus: Bus,
    private readonly ids: IdSource,
    private readonly maxBodyBytes: number,
    private readonly local?: LocalDelivery,
  ) {}

  async toUser(from: string, to: string, body: unknown, cid?: string): Promise<Sent> {
    this.checkBody(body);
    return this.storeAndForward(from, to, body, cid);
  }

  /** The same body to several users, one id each (the push API); resolves when all are stored. */
  async toUsers(from: string, uids: readonly string[], body: unknown): Promise<string[]> {
    this.checkBody(body); // once, not per recipient: a 64 KiB body is encoded to measure it
    const sent = await Promise.all(uids.map((to) => this.storeAndForward(from, to, body)));
    return sent.map((s) => s.id);
  }

  private async storeAndForward(from: string, to: string, body: unknown, cid?: string): Promise<Sent> {
    const message: MsgEvent = { id: await this.ids.next(), from, to, body, ts: Date.now(), ...(cid ? { cid } : {}) };
    // One store call writes the message and reads where its recipient is connected.
    const nodes = await this.store.storeMessage(message);
    await this.forward(nodes, { t: 'msg', p: message });
    return { id: message.id, ts: message.ts };
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

  private checkBody(body: unknown): void {
    if (body === undefined) throw new ProtocolError('bad_request', 'body: required');
    if (encodedSize(body) > this.maxBodyBytes) throw new ProtocolError('too_large', `body is larger than ${this.maxBodyBytes} bytes`);
  }

  private async forward(nodes: string[], envelope: Envelope): Promise<void> {
    const { local } = this;
    let remote = nodes;
    if (local && nodes.includes(local.nodeId)) {
      local.deliverLocal(envelope);
      remote = nodes.filter((n) => n !== local.nodeId);
    }
    // At-most-once: the inbox already holds it; the bus bounds how long this may wait.
    if (remote.length > 0) await this.bus.publishToNodes(remote, envelope).catch(ignore);
  }
}

const ignore = (): undefined => undefined;

/** `work` settled, or nothing after FORWARD_WAIT_MS; never rejects. */
function bounded(work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, FORWARD_WAIT_MS)));
  return Promise.race([work.then(() => undefined, () => undefined), timeout]).finally(() => clearTimeout(timer));
}
