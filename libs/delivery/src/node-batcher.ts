import type { Bus, Envelope } from '@spear/bus';

/**
 * Coalesces directed envelopes per destination node within a short window
 * (0: the rest of this event-loop turn, else at most `windowMs`), so a busy
 * node sends one publish per destination instead of one per message.
 * Order: per destination, envelopes leave in enqueue order.
 * Guarantee: at-most-once, as the bus (the inbox write happened before).
 */
export class NodeBatcher {
  private queues = new Map<string, Envelope[]>();
  private scheduled = false;

  constructor(
    private readonly bus: Bus,
    private readonly windowMs = 0,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  enqueue(nodeIds: readonly string[], envelope: Envelope): void {
    for (const node of nodeIds) {
      const queue = this.queues.get(node);
      if (queue) queue.push(envelope);
      else this.queues.set(node, [envelope]);
    }
    if (this.scheduled) return;
    this.scheduled = true;
    if (this.windowMs > 0) setTimeout(() => this.flush(), this.windowMs);
    else setImmediate(() => this.flush());
  }

  /** Sends everything queued now. */
  flush(): void {
    this.scheduled = false;
    const queues = this.queues;
    this.queues = new Map();
    for (const [node, envelopes] of queues) {
      const envelope: Envelope = envelopes.length === 1 ? envelopes[0]! : { t: 'batch', p: envelopes };
      this.bus.publishToNodes([node], envelope).catch(this.onError);
    }
  }
}
