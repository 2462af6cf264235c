import { MAX_ID } from './layout';
import { SnowflakeError } from './errors';
import { compareIds, isSnowflakeId } from './id-string';
import { DecimalCounter } from './decimal-counter';

/**
 * `count` consecutive ids starting at `start` (canonical decimal): start,
 * start + 1, ..., start + count - 1. Within one millisecond a worker's ids are
 * consecutive integers, so a batch travels as one range per millisecond
 * instead of thousands of strings.
 */
export interface IdRange {
  start: string;
  count: number;
}

/**
 * Throws `invalid_id` unless `range.start` is an id, `range.count` a
 * non-negative integer and the last id still inside the layout. For ranges from
 * outside the process (e.g. an RPC reply), before they are handed out.
 */
export function assertIdRange(range: IdRange): void {
  if (!isSnowflakeId(range.start)) throw new SnowflakeError('invalid_id', `range start is not a snowflake id: ${JSON.stringify(range.start)}`);
  if (!Number.isSafeInteger(range.count) || range.count < 0) {
    throw new SnowflakeError('invalid_id', `range count must be a non-negative integer, got ${String(range.count)}`);
  }
  if (range.count === 0) return;
  const counter = new DecimalCounter();
  counter.setDecimal(range.start);
  counter.add(range.count - 1);
  if (compareIds(counter.current(), MAX_ID) > 0) {
    throw new SnowflakeError('invalid_id', `range ${range.start} + ${range.count} runs past the largest id ${MAX_ID}`);
  }
}

/** All ids of `range` as strings, in order, without BigInt (see DecimalCounter). Validates the range. */
export function expandRange(range: IdRange): string[] {
  assertIdRange(range);
  const counter = new DecimalCounter();
  counter.setDecimal(range.start);
  const out = new Array<string>(range.count);
  for (let i = 0; i < range.count; i++) out[i] = counter.take();
  return out;
}

/** How many ids the ranges hold together. */
export function countIds(ranges: readonly IdRange[]): number {
  let total = 0;
  for (const r of ranges) total += r.count;
  return total;
}
