/**
 * The bit layout of an id, most significant first:
 *
 *   0 | 41-bit milliseconds since the epoch | 10-bit worker id | 12-bit sequence
 *
 * The top bit of the unsigned 64-bit carrier is always 0, so every id also fits
 * a signed 64-bit column and orders the same way under both readings.
 */
export const TIMESTAMP_BITS = 41;
export const WORKER_ID_BITS = 10;
export const SEQUENCE_BITS = 12;

/** Largest timestamp an id can hold, in ms since the epoch (about 69.7 years). */
export const MAX_TIMESTAMP = 2 ** TIMESTAMP_BITS - 1;
export const MAX_WORKER_ID = 2 ** WORKER_ID_BITS - 1;
/** Ids one worker can issue per millisecond; the sequence runs 0..SEQUENCE_LIMIT-1. */
export const SEQUENCE_LIMIT = 2 ** SEQUENCE_BITS;

/** 2024-01-01T00:00:00Z in Unix ms; with it ids run out in September 2093. */
export const DEFAULT_EPOCH_MS = 1_704_067_200_000;

/** The largest id the layout can produce (2^63 - 1), in canonical decimal. */
export const MAX_ID = '9223372036854775807';
