import type { Bus, Envelope } from '@spear/bus';

/** One destination's queue and the callers waiting for its publish. */
interface Queue {
  envelopes: Envelope[];
  settled: Array<() => void>;
}

/**
 * Coalesces directed envelopes per destination node within a short window
 * (0: the rest of this event-loop turn, else at most `windowMs`), so a busy
 * node sends one publish per destination instead of one per message.
 * Order: per destination, envelopes leave in enqueue order.
 * Guarantee: at-most-once, as the bus (the inbox write happened before).
 * enqueue() resolves once every publish carrying the envelope has been
 * answered by the bus (accepted or failed; it never rejects) or `maxWaitMs`
 * passed, so a caller can hold its own acknowledgement until the envelope has
 * left this process without a bus outage holding it for long. One timer per
 * publish, not per envelope.
 */
export class NodeBatcher {
  private queues = new Map<string, Queue>();
  private scheduled = false;

  constructor(
    private readonly bus: Bus,
    private readonly windowMs = 0,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly maxWaitMs = 1000,
  ) {}

  enqueue(nodeIds: readonly string[], envelope: Envelope): Promise<void> {
    const settled: Promise<void>[] = [];
    for (const node of nodeIds) {
      let queue = this.queues.get(node);
      if (!queue) this.queues.set(node, (queue = { envelopes: [], settled: [] }));
      queue.envelopes.push(envelope);
      const q = queue;
      settled.push(new Promise<void>((resolve) => q.settled.push(resolve)));
    }
    if (!this.scheduled) {
      this.scheduled = true;
      if (this.windowMs > 0) setTimeout(() => this.flush(), this.windowMs);
      else setImmediate(() => this.flush());
    }
    return settled.length === 1 ? settled[0]! : Promise.all(settled).then(() => undefined);
  }

  /** Sends everything queued now. */
  flush(): void {
    this.scheduled = false;
    const queues = this.queues;
    this.queues = new Map();
    for (const [node, { envelopes, settled }] of queues) {
      const envelope: Envelope = envelopes.length === 1 ? envelopes[0]! : { t: 'batch', p: envelopes };
      // Whichever comes first; resolving twice is harmless.
      const done = () => {
        clearTimeout(timer);
        for (const resolve of settled) resolve();
      };
      const timer = setTimeout(done, this.maxWaitMs);
      this.bus.publishToNodes([node], envelope).then(done, (error: unknown) => {
        this.onError(error);
        done();
      });
    }
  }
}
