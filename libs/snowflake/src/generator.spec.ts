import { describe, expect, it } from 'vitest';
import { SnowflakeGenerator } from './generator';
import { ClockBackwardsError, TimestampOutOfRangeError } from './errors';
import { compareIds } from './id-string';
import { IdRangeCursor } from './id-range-cursor';
import { countIds } from './id-range';
import { parseId } from './parse';
import { DEFAULT_EPOCH_MS, MAX_TIMESTAMP } from './layout';

const T = DEFAULT_EPOCH_MS + 1_000_000;

/** A clock that replays `values`, then keeps returning the last one; `reads` counts calls. */
function scriptedClock(...values: number[]) {
  const clock = Object.assign(
    () => {
      clock.reads++;
      return values.length > 1 ? values.shift()! : values[0]!;
    },
    { reads: 0 },
  );
  return clock;
}

/**
 * A clock that only moves when read `readsPerMs` times at one value. Any
 * generator sees the same sequence of milliseconds from it however it batches,
 * as long as it issues at most 4096 ids per `readsPerMs` reads.
 */
function steppingClock(start: number, readsPerMs = 10_000) {
  const clock = Object.assign(
    () => {
      clock.reads++;
      return start + Math.floor(clock.reads / readsPerMs);
    },
    { reads: 0 },
  );
  return clock;
}

function expectStrictlyIncreasing(ids: readonly string[]): void {
  for (let i = 1; i < ids.length; i++) {
    if (compareIds(ids[i - 1]!, ids[i]!) >= 0) throw new Error(`ids[${i - 1}]=${ids[i - 1]} is not below ids[${i}]=${ids[i]}`);
  }
}

describe('SnowflakeGenerator', () => {
  it('issues ids that parse back to its worker and the current time', () => {
    const generator = new SnowflakeGenerator({ workerId: 777 });
    const before = Date.now();
    const id = generator.next();
    const after = Date.now();
    const parts = parseId(id);
    expect(parts.workerId).toBe(777);
    expect(parts.sequence).toBeLessThan(4096);
    expect(parts.timestamp).toBeGreaterThanOrEqual(before);
    expect(parts.timestamp).toBeLessThanOrEqual(after);
  });

  it('honours a custom epoch', () => {
    const epochMs = Date.UTC(2020, 0, 1);
    const generator = new SnowflakeGenerator({ workerId: 3, epochMs, clock: () => epochMs + 42 });
    expect(parseId(generator.next(), epochMs)).toEqual({ timestamp: epochMs + 42, workerId: 3, sequence: 0 });
  });

  it('strictly increases over 1,000,000 ids on the real clock', () => {
    const generator = new SnowflakeGenerator({ workerId: 5 });
    const ids = new Array<string>(1_000_000);
    for (let i = 0; i < ids.length; i++) ids[i] = generator.next();
    expectStrictlyIncreasing(ids);
  });

  it('never collides across generators with different worker ids', () => {
    const a = new SnowflakeGenerator({ workerId: 1 });
    const b = new SnowflakeGenerator({ workerId: 2 });
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      seen.add(a.next());
      seen.add(b.next());
    }
    for (const id of [...a.nextBatch(20_000), ...b.nextBatch(20_000)]) seen.add(id);
    expect(seen.size).toBe(240_000);
  });

  it('waits for the next ms when the 4096 ids of one are used up', () => {
    // Constructor and 4096 ids read T, then the clock stays at T for 10 more reads.
    const clock = scriptedClock(...Array<number>(1 + 4096 + 10).fill(T), T + 1);
    const generator = new SnowflakeGenerator({ workerId: 9, clock });
    const first = Array.from({ length: 4096 }, () => generator.next());
    expect(parseId(first[0]!)).toEqual({ timestamp: T, workerId: 9, sequence: 0 });
    expect(parseId(first[4095]!)).toEqual({ timestamp: T, workerId: 9, sequence: 4095 });
    const readsBefore = clock.reads;
    const id4097 = generator.next();
    expect(parseId(id4097)).toEqual({ timestamp: T + 1, workerId: 9, sequence: 0 });
    // It read the clock until it moved rather than running ahead of it.
    expect(clock.reads - readsBefore).toBe(11);
    expectStrictlyIncreasing([...first, id4097]);
  });

  it('waits out a small backward clock step and continues the same ms', () => {
    const clock = scriptedClock(T, T, T - 3, T - 3, T - 2, T - 1, T);
    const generator = new SnowflakeGenerator({ workerId: 4, clock });
    const a = generator.next();
    const b = generator.next();
    expect(parseId(b)).toEqual({ timestamp: T, workerId: 4, sequence: 1 });
    expect(compareIds(a, b)).toBe(-1);
    expect(clock.reads).toBe(7);
  });

  it('waits out a small backward step into a used-up ms until the clock passes it', () => {
    const clock = scriptedClock(...Array<number>(1 + 4096).fill(T), T - 2, T - 1, T, T, T + 1);
    const generator = new SnowflakeGenerator({ workerId: 4, clock });
    const ids = generator.nextBatch(4097);
    expect(parseId(ids[4096]!)).toEqual({ timestamp: T + 1, workerId: 4, sequence: 0 });
    expectStrictlyIncreasing(ids);
  });

  it('throws on a large backward step, issues nothing, and recovers once the clock is back', () => {
    const clock = scriptedClock(T, T, T - 6, T - 100, T + 1);
    const generator = new SnowflakeGenerator({ workerId: 4, clock });
    const a = generator.next();
    let error: unknown;
    try {
      generator.next();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ClockBackwardsError);
    expect(error).toMatchObject({ code: 'clock_backwards', lastTimestampMs: T, clockMs: T - 6, maxBackwardsMs: 5 });
    expect(() => generator.nextRanges(1)).toThrow(ClockBackwardsError);
    const b = generator.next();
    expect(parseId(b)).toEqual({ timestamp: T + 1, workerId: 4, sequence: 0 });
    expect(compareIds(a, b)).toBe(-1);
  });

  it('throws on any backward step with maxBackwardsMs 0', () => {
    const generator = new SnowflakeGenerator({ workerId: 4, maxBackwardsMs: 0, clock: scriptedClock(T, T, T - 1) });
    generator.next();
    expect(() => generator.next()).toThrow(expect.objectContaining({ code: 'clock_backwards' }));
  });

  it('expands ranges and batches to exactly the ids next() issues', () => {
    const n = 10_000;
    const single = new SnowflakeGenerator({ workerId: 321, clock: steppingClock(T) });
    const expected = Array.from({ length: n }, () => single.next());

    const ranged = new SnowflakeGenerator({ workerId: 321, clock: steppingClock(T) });
    const ranges = ranged.nextRanges(n);
    expect(ranges.map((r) => r.count)).toEqual([4096, 4096, 1808]);
    expect(countIds(ranges)).toBe(n);
    const cursor = new IdRangeCursor(ranges);
    expect(cursor.take(n)).toEqual(expected);

    const batched = new SnowflakeGenerator({ workerId: 321, clock: steppingClock(T) });
    expect(batched.nextBatch(n)).toEqual(expected);
  });

  it('starts a range where next() left off and keeps one generator increasing across all methods', () => {
    const generator = new SnowflakeGenerator({ workerId: 8, clock: steppingClock(T) });
    const head = Array.from({ length: 100 }, () => generator.next());
    const ranges = generator.nextRanges(5000);
    expect(ranges.map((r) => r.count)).toEqual([3996, 1004]);
    expect(parseId(ranges[0]!.start)).toEqual({ timestamp: T, workerId: 8, sequence: 100 });
    const all = [...head, ...new IdRangeCursor(ranges).take(5000), ...generator.nextBatch(3000), generator.next()];
    expectStrictlyIncreasing(all);
    expect(generator.nextRanges(0)).toEqual([]);
    expect(generator.nextBatch(0)).toEqual([]);
  });

  it('issues the last ms of the 41-bit range, then throws a clear error', () => {
    const last = DEFAULT_EPOCH_MS + MAX_TIMESTAMP;
    const generator = new SnowflakeGenerator({ workerId: 1023, clock: scriptedClock(last, last, last, last + 1) });
    expect(generator.next()).toBe(String(2n ** 63n - 1n - 4095n));
    expect(() => generator.nextBatch(4096)).toThrow(TimestampOutOfRangeError);
    expect(() => generator.next()).toThrow(/2\^41-1 ms after the epoch/);
  });

  it('refuses bad options', () => {
    const clock = () => T;
    for (const workerId of [-1, 1024, 1.5, Number.NaN, '1' as unknown as number, undefined as unknown as number]) {
      expect(() => new SnowflakeGenerator({ workerId, clock }), String(workerId)).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    }
    for (const epochMs of [-1, 1.5, Number.NaN, 1e16]) {
      expect(() => new SnowflakeGenerator({ workerId: 0, epochMs, clock }), String(epochMs)).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    }
    for (const maxBackwardsMs of [-1, 0.5, 1001]) {
      expect(() => new SnowflakeGenerator({ workerId: 0, maxBackwardsMs, clock })).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    }
    // An epoch in the future (e.g. microseconds) or so old that the clock is past 41 bits.
    expect(() => new SnowflakeGenerator({ workerId: 0, epochMs: T + 1, clock })).toThrow(TimestampOutOfRangeError);
    expect(() => new SnowflakeGenerator({ workerId: 0, epochMs: 0, clock: () => MAX_TIMESTAMP + 1 })).toThrow(
      expect.objectContaining({ code: 'timestamp_out_of_range' }),
    );
    const generator = new SnowflakeGenerator({ workerId: 0, clock });
    for (const n of [-1, 1.5, Number.NaN]) {
      expect(() => generator.nextRanges(n)).toThrow(expect.objectContaining({ code: 'invalid_option' }));
      expect(() => generator.nextBatch(n)).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    }
  });
});
