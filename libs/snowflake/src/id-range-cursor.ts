import { DecimalCounter } from './decimal-counter';
import { assertIdRange, type IdRange } from './id-range';

/**
 * A FIFO of id ranges that hands ids out one at a time, in the order the
 * ranges were pushed, each id exactly once. Costs one string concatenation per
 * id and no BigInt at all (see DecimalCounter), so a consumer can hold a few
 * thousand reserved ids as a handful of ranges and pay per id only when it
 * uses one.
 */
export class IdRangeCursor {
  /** Consumed slots before `head` are cleared so their strings can be collected. */
  private queue: (IdRange | undefined)[] = [];
  private head = 0;
  private readonly counter = new DecimalCounter();
  /** Ids left in the range being handed out. */
  private left = 0;
  private total = 0;

  constructor(ranges: Iterable<IdRange> = []) {
    this.pushAll(ranges);
  }

  /** Ids not handed out yet. */
  get size(): number {
    return this.total;
  }

  /** Queues a range after the others. Throws `invalid_id` for a malformed range (see assertIdRange). */
  push(range: IdRange): void {
    assertIdRange(range);
    if (range.count === 0) return;
    // A copy, so a caller reusing its object cannot change queued ids.
    this.queue.push({ start: range.start, count: range.count });
    this.total += range.count;
  }

  pushAll(ranges: Iterable<IdRange>): void {
    for (const range of ranges) this.push(range);
  }

  /** The next id, or undefined when every queued id has been handed out. */
  next(): string | undefined {
    if (this.left === 0 && !this.load()) return undefined;
    this.left--;
    this.total--;
    return this.counter.take();
  }

  /** Up to `n` next ids (fewer only when the cursor runs dry). */
  take(n: number): string[] {
    const out: string[] = [];
    while (out.length < n) {
      if (this.left === 0 && !this.load()) break;
      const k = Math.min(this.left, n - out.length);
      for (let i = 0; i < k; i++) out.push(this.counter.take());
      this.left -= k;
      this.total -= k;
    }
    return out;
  }

  /** Moves to the next queued range; false when there is none. */
  private load(): boolean {
    if (this.head === this.queue.length) {
      // Drained: start over so the array does not grow without bound.
      this.queue = [];
      this.head = 0;
      return false;
    }
    const range = this.queue[this.head]!; // head < length, checked above
    this.queue[this.head++] = undefined;
    this.counter.setDecimal(range.start);
    this.left = range.count;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      // Long-lived cursors that never drain would otherwise keep every consumed slot.
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return true;
  }
}
