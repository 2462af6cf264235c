/** The server accepts at most this many ids in one `ack` (ackPayload in @spear/protocol). */
export const MAX_ACK_IDS = 1000;

/** Runs `fn` later; returns nothing (the batcher never cancels a scheduled flush, it just finds nothing to do). */
export type Scheduler = (fn: () => void) => void;

/** Next macrotask: message handlers that finish in the same tick, or a burst delivered in one frame, share one ack. */
export const nextTick: Scheduler = (fn) => void setTimeout(fn, 0);

/**
 * Collects ids to ack and sends them in batches: everything added before the
 * scheduled flush runs goes out together, in chunks of at most MAX_ACK_IDS,
 * each id once per flush.
 */
export class AckBatcher {
  private pending = new Set<string>();
  private scheduled = false;

  constructor(
    private readonly send: (ids: string[]) => void,
    private readonly schedule: Scheduler = nextTick,
    private readonly maxBatch = MAX_ACK_IDS,
  ) {}

  add(id: string): void {
    this.pending.add(id);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  /** Sends what is pending now (also what the scheduled flush does). */
  flush(): void {
    this.scheduled = false;
    const ids = [...this.pending];
    this.pending = new Set();
    for (let i = 0; i < ids.length; i += this.maxBatch) this.send(ids.slice(i, i + this.maxBatch));
  }

  /** Takes what is pending without sending it (the caller sends it another way, e.g. while closing). */
  drain(): string[] {
    const ids = [...this.pending];
    this.pending = new Set();
    return ids;
  }

  get size(): number {
    return this.pending.size;
  }
}
