import { ProtocolError } from '@spear/protocol';

/**
 * At most `limit` tasks run at once; at most `maxWaiting` others wait their
 * turn, first come first served, and any beyond are refused at once with
 * `rate_limited`. Bounds what a burst of expensive requests (joins replaying
 * history) can hold of a node at one time, waiting included.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaiting = Number.MAX_SAFE_INTEGER,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.maxWaiting) throw new ProtocolError('rate_limited', `${this.limit} running and ${this.maxWaiting} waiting on this node; retry later`);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes on as it is
      else this.running--;
    }
  }
}
