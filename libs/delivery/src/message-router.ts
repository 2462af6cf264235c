import type { Bus, Envelope } from '@spear/bus';
import type { GroupEvent, MsgEvent } from '@spear/protocol';
import type { GroupHistory } from './group-history';
import type { Inbox } from './inbox';
import { NodeBatcher } from './node-batcher';
import type { RouteReader } from './route-table';

/**
 * The one path every message takes, from a spear connection or from ticket's
 * push API: store first, then forward only where it is needed.
 * Guarantee: `toUser` resolves only after the message is in the recipient's
 * inbox (durable until acked); forwarding after that is best effort (a
 * recipient that misses it gets it from the inbox on its next connection).
 */
export class MessageRouter {
  private readonly batcher: NodeBatcher;

  constructor(
    private readonly inbox: Inbox,
    private readonly history: GroupHistory,
    private readonly routes: RouteReader,
    private readonly bus: Bus,
    /** When this process is a spear node: deliver to local sessions without the bus. */
    private readonly local?: { nodeId: string; deliver(envelope: Envelope): void },
    /** Coalescing window for directed deliveries (0: this event-loop turn). */
    batchWindowMs = 0,
  ) {
    this.batcher = new NodeBatcher(bus, batchWindowMs);
  }

  async toUser(message: MsgEvent): Promise<void> {
    await this.inbox.add(message);
    const nodes = await this.routes.nodesOf(message.to);
    this.forward(nodes, { t: 'msg', p: message });
  }

  async toGroup(message: GroupEvent): Promise<void> {
    await this.history.append(message);
    void this.bus.publishToGroup(message.group, { t: 'group', p: message }).catch(() => undefined);
  }

  async broadcast(message: { id: string; body: unknown; ts: number }): Promise<void> {
    await this.bus.publishBroadcast({ t: 'broadcast', p: message });
  }

  private forward(nodes: string[], envelope: Envelope): void {
    const remote = this.local ? nodes.filter((n) => n !== this.local!.nodeId) : nodes;
    if (this.local && remote.length !== nodes.length) this.local.deliver(envelope);
    // At-most-once: the inbox already holds it.
    if (remote.length > 0) this.batcher.enqueue(remote, envelope);
  }
}
