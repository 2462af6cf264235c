import { DEFAULT_EPOCH_MS, MAX_TIMESTAMP, SEQUENCE_LIMIT } from './layout';
import { ClockBackwardsError, TimestampOutOfRangeError } from './errors';
import { DecimalCounter } from './decimal-counter';
import type { IdRange } from './id-range';
import { sleepSync } from './sleep';
import { assertEpochMs, assertIntegerIn, assertWorkerId } from './validate';

// Local copy: under tsx/vitest imports compile to property getters, which showed up in next()'s profile.
const LIMIT = SEQUENCE_LIMIT;

export interface SnowflakeGeneratorOptions {
  /** 0..1023. Must be unique among the generators alive at once with the same epoch (e.g. leased). */
  workerId: number;
  /** Unix ms that timestamp 0 stands for; default 2024-01-01T00:00:00Z. Not in the future. */
  epochMs?: number;
  /** The largest backward clock step waited out rather than thrown (default 5 ms). */
  maxBackwardsMs?: number;
  /** Unix ms, default Date.now. Injectable for tests; it must eventually move forward, since waits spin on it. */
  clock?: () => number;
}

/**
 * Issues 64-bit snowflake ids (see layout.ts) for one worker, as canonical
 * decimal strings.
 *
 * Guarantees, for one generator:
 * - every id is strictly greater than every id it issued before, so no
 *   duplicates; with distinct worker ids and one epoch, none across
 *   generators either;
 * - at most 4096 ids per millisecond: the 4097th waits (spinning, < 1 ms) for
 *   the clock to reach the next millisecond;
 * - an id's timestamp is the clock reading when it was issued, never ahead of
 *   the clock;
 * - a clock that steps back by at most `maxBackwardsMs` is waited out (the
 *   call blocks until the clock is back at the last timestamp); a larger step
 *   throws ClockBackwardsError and issues nothing;
 * - a clock before the epoch or 2^41 ms past it throws TimestampOutOfRangeError.
 *
 * Not guaranteed: uniqueness across a restart of the same worker id when the
 * clock reads earlier than before the restart; whoever assigns worker ids must
 * keep a worker id out of use until its clock has passed the old ids.
 *
 * All calls are synchronous and may block for up to about maxBackwardsMs.
 */
export class SnowflakeGenerator {
  readonly workerId: number;
  readonly epochMs: number;
  readonly maxBackwardsMs: number;
  private readonly clock: () => number;
  /** Millisecond (since the epoch) of the last id issued; -1 before the first. */
  private ts = -1;
  /** Next sequence number in `ts`; LIMIT when `ts` is used up. */
  private seq = LIMIT;
  /** The next id of `ts`, ready to print. */
  private readonly counter = new DecimalCounter();

  /** Throws `invalid_option` for a bad option, and TimestampOutOfRangeError when the clock is outside the epoch's range already. */
  constructor(options: SnowflakeGeneratorOptions) {
    const { workerId, epochMs = DEFAULT_EPOCH_MS, maxBackwardsMs = 5, clock = Date.now } = options;
    assertWorkerId(workerId);
    assertEpochMs(epochMs);
    // Waiting out more than a second would stall the event loop; that is an outage, not a wait.
    assertIntegerIn('maxBackwardsMs', maxBackwardsMs, 0, 1000);
    this.workerId = workerId;
    this.epochMs = epochMs;
    this.maxBackwardsMs = maxBackwardsMs;
    this.clock = clock;
    // Fail at startup, not at the first id: an epoch in microseconds (so in the
    // future) or one more than 69 years back lands here.
    this.readClock();
  }

  /** The next id. */
  next(): string {
    const now = this.clock() - this.epochMs;
    if (now !== this.ts || this.seq === LIMIT) this.claim(now);
    this.seq++;
    return this.counter.take();
  }

  /**
   * The next `n` ids as ranges of consecutive ids, at most one per millisecond
   * (so up to 4096 ids each), in increasing order. Takes about n / 4096 ms when
   * n exceeds what is left of the current millisecond. If the clock fails
   * midway (it throws), the ids reserved so far are skipped, never reissued.
   */
  nextRanges(n: number): IdRange[] {
    assertIntegerIn('n', n, 0, Number.MAX_SAFE_INTEGER);
    const out: IdRange[] = [];
    for (let left = n; left > 0; ) {
      this.claim(this.clock() - this.epochMs);
      const count = Math.min(left, LIMIT - this.seq);
      out.push({ start: this.counter.current(), count });
      this.counter.add(count);
      this.seq += count;
      left -= count;
    }
    return out;
  }

  /** The next `n` ids as strings; same as expanding nextRanges(n), but without the intermediate ranges. */
  nextBatch(n: number): string[] {
    assertIntegerIn('n', n, 0, Number.MAX_SAFE_INTEGER);
    const out = new Array<string>(n);
    for (let i = 0; i < n; ) {
      this.claim(this.clock() - this.epochMs);
      const end = Math.min(n, i + LIMIT - this.seq);
      this.seq += end - i;
      while (i < end) out[i++] = this.counter.take();
    }
    return out;
  }

  /**
   * Makes sure `this.seq` is a free sequence number of `this.ts` and `ts` is
   * the clock's millisecond, waiting or throwing as the class comment says.
   * `now` is a clock reading minus the epoch.
   */
  private claim(now: number): void {
    for (;;) {
      now = this.checkRange(now);
      if (now > this.ts) {
        this.ts = now;
        this.seq = 0;
        this.counter.setMs(now, this.workerId);
        return;
      }
      if (now === this.ts && this.seq < LIMIT) return;
      if (this.ts - now > this.maxBackwardsMs) {
        throw new ClockBackwardsError(this.ts + this.epochMs, now + this.epochMs, this.maxBackwardsMs);
      }
      // Either the clock stepped back a little or this millisecond is used up.
      // Wait for the clock instead of running ahead of it, so an id's
      // timestamp never claims a time that has not come yet.
      const target = this.seq < LIMIT ? this.ts : this.ts + 1;
      // A timed sleep may overshoot, so sleep only through whole ms and spin the last one.
      if (target - now >= 2) sleepSync(target - now - 1);
      now = this.clock() - this.epochMs;
    }
  }

  /** `now` as a whole ms since the epoch; throws when the layout cannot hold it. */
  private checkRange(now: number): number {
    // Floor so a fractional clock (performance-based) still yields integral ids.
    now = Math.floor(now);
    if (!(now >= 0 && now <= MAX_TIMESTAMP)) throw new TimestampOutOfRangeError(now + this.epochMs, this.epochMs);
    return now;
  }

  private readClock(): number {
    return this.checkRange(this.clock() - this.epochMs);
  }
}
