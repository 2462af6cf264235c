import { DEFAULT_EPOCH_MS, MAX_TIMESTAMP, MAX_WORKER_ID, SEQUENCE_LIMIT } from './layout';
import { SnowflakeError } from './errors';
import { isSnowflakeId } from './id-string';
import { assertEpochMs, assertIntegerIn } from './validate';

/** The three fields of an id. */
export interface SnowflakeParts {
  /** Unix ms (the epoch already added back). */
  timestamp: number;
  workerId: number;
  sequence: number;
}

const MAX_ID_BIGINT = (1n << 63n) - 1n;

/**
 * Splits an id into its fields. Accepts a canonical decimal string (see
 * isSnowflakeId) or a bigint from 0 to 2^63 - 1; anything else throws
 * `invalid_id`. `epochMs` must be the generator's epoch, or the timestamp is
 * off by the difference.
 */
export function parseId(id: string | bigint, epochMs: number = DEFAULT_EPOCH_MS): SnowflakeParts {
  assertEpochMs(epochMs);
  let value: bigint;
  if (typeof id === 'bigint') {
    if (id < 0n || id > MAX_ID_BIGINT) throw new SnowflakeError('invalid_id', `id ${id} is outside 0..2^63-1`);
    value = id;
  } else {
    if (!isSnowflakeId(id)) throw new SnowflakeError('invalid_id', `not a snowflake id: ${JSON.stringify(id)}`);
    value = BigInt(id);
  }
  // Parsing is not a hot path, so plain BigInt arithmetic keeps it obviously right.
  return {
    timestamp: Number(value >> 22n) + epochMs,
    workerId: Number((value >> 12n) & 1023n),
    sequence: Number(value & 4095n),
  };
}

/**
 * The id with the given fields, in canonical decimal. Useful for range queries
 * by time: `composeId({ timestamp: t, workerId: 0, sequence: 0 })` is the
 * smallest id any worker can issue at Unix ms `t`. Throws `invalid_option`
 * for a field outside the layout.
 */
export function composeId(parts: SnowflakeParts, epochMs: number = DEFAULT_EPOCH_MS): string {
  assertEpochMs(epochMs);
  assertIntegerIn('timestamp', parts.timestamp, epochMs, epochMs + MAX_TIMESTAMP);
  assertIntegerIn('workerId', parts.workerId, 0, MAX_WORKER_ID);
  assertIntegerIn('sequence', parts.sequence, 0, SEQUENCE_LIMIT - 1);
  const ts = BigInt(parts.timestamp - epochMs);
  return String((ts << 22n) | (BigInt(parts.workerId) << 12n) | BigInt(parts.sequence));
}
