/**
 * When a load client's receivers send their acks, as @spear/client's
 * AckBatcher does: `delayMs` after the first message a receiver has not
 * acked yet, all of its pending ones in one ack. One schedule serves every
 * receiver of a worker: with one delay for all, the order receivers first
 * got a pending message is the order they fall due, so a pass over the due
 * ones stops at the first that is not.
 */
export class AckSchedule<R> {
  /** Receivers with acks pending, in due order, and when each falls due. */
  private readonly dueAt = new Map<R, number>();

  constructor(private readonly delayMs: number) {}

  /** A message for `receiver` is waiting to be acked (at time `now`, ms). */
  pending(receiver: R, now: number): void {
    if (!this.dueAt.has(receiver)) this.dueAt.set(receiver, now + this.delayMs);
  }

  /** `receiver` acked what it had (early, or because it fell due): its next message starts a new delay. */
  acked(receiver: R): void {
    this.dueAt.delete(receiver);
  }

  /** Takes the receivers due at `now`, oldest first. */
  takeDue(now: number): R[] {
    const due: R[] = [];
    for (const [receiver, at] of this.dueAt) {
      if (at > now) break;
      due.push(receiver);
    }
    for (const receiver of due) this.dueAt.delete(receiver);
    return due;
  }

  /** Takes every receiver with acks pending, due or not (a stop flushes them all). */
  takeAll(): R[] {
    const all = [...this.dueAt.keys()];
    this.dueAt.clear();
    return all;
  }
}
