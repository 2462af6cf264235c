import { MAX_WORKER_ID } from './layout';
import { SnowflakeError } from './errors';

/** Throws `invalid_option` unless `value` is an integer in [min, max]. */
export function assertIntegerIn(name: string, value: unknown, min: number, max: number): asserts value is number {
  // Number.isSafeInteger also refuses NaN, ±Infinity, fractions and non-numbers.
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw new SnowflakeError('invalid_option', `${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

export function assertWorkerId(workerId: unknown): asserts workerId is number {
  assertIntegerIn('workerId', workerId, 0, MAX_WORKER_ID);
}

/** An epoch is Unix ms, not seconds or microseconds; the upper bound catches the latter. */
export function assertEpochMs(epochMs: unknown): asserts epochMs is number {
  assertIntegerIn('epochMs', epochMs, 0, 8_640_000_000_000);
}
