import type { Bus, Envelope } from '@spear/bus';
import type { GroupEvent, MsgEvent } from '@spear/protocol';
import type { GroupHistory } from './group-history';
import type { Inbox } from './inbox';
import { NodeBatcher } from './node-batcher';

/**
 * How long an ack waits for its forward to leave: a bus that is down (Kafka
 * times out publishes after 5 s) must not hold every send that long; the
 * message is stored either way.
 */
const FORWARD_WAIT_MS = 1000;

/** `work`, or nothing after FORWARD_WAIT_MS (for group publishes; directed ones are bounded per batch by NodeBatcher). */
function bounded(work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, FORWARD_WAIT_MS)));
  return Promise.race([work.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

/**
 * The one path every message takes, from a spear connection or from ticket's
 * push API: store first, then forward only where it is needed.
 * Guarantee: `toUser` resolves only after the message is in the recipient's
 * inbox (durable until acked) and its forward has left this process (handed
 * to the local sessions, or answered by the bus; waited for up to
 * FORWARD_WAIT_MS), so a sender's ack does not precede a forward that a crash
 * of this node could still lose. The forward itself is best effort (a
 * recipient that misses it gets it from the inbox on its next connection).
 * `toGroup` likewise, with the group history.
 */
export class MessageRouter {
  private readonly batcher: NodeBatcher;

  constructor(
    private readonly inbox: Inbox,
    private readonly history: GroupHistory,
    private readonly bus: Bus,
    /** When this process is a spear node: deliver to local sessions without the bus. */
    private readonly local?: { nodeId: string; deliver(envelope: Envelope): void },
    /** Coalescing window for directed deliveries (0: this event-loop turn). */
    batchWindowMs = 0,
  ) {
    this.batcher = new NodeBatcher(bus, batchWindowMs, undefined, FORWARD_WAIT_MS);
  }

  async toUser(message: MsgEvent): Promise<void> {
    // One script stores the message and reads where its recipient is connected.
    const nodes = await this.inbox.add(message);
    await this.forward(nodes, { t: 'msg', p: message });
  }

  async toGroup(message: GroupEvent): Promise<void> {
    await this.history.append(message);
    await bounded(this.bus.publishToGroup(message.group, { t: 'group', p: message }).catch(() => undefined));
  }

  async broadcast(message: { id: string; body: unknown; ts: number }): Promise<void> {
    await this.bus.publishBroadcast({ t: 'broadcast', p: message });
  }

  private async forward(nodes: string[], envelope: Envelope): Promise<void> {
    const remote = this.local ? nodes.filter((n) => n !== this.local!.nodeId) : nodes;
    if (this.local && remote.length !== nodes.length) this.local.deliver(envelope);
    // At-most-once: the inbox already holds it.
    if (remote.length > 0) await this.batcher.enqueue(remote, envelope);
  }
}
