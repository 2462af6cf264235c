import { MAX_ID } from './layout';

// Canonical decimal: no sign, no leading zeros, at most 19 digits (2^63 - 1 has 19).
const CANONICAL = /^(?:0|[1-9][0-9]{0,18})$/;

/**
 * True when `value` is an id this layout can produce, written the one way the
 * generator writes it: canonical decimal (digits only, no leading zeros) from
 * "0" to 2^63 - 1. Only such strings are safe for `compareIds` and as map keys.
 */
export function isSnowflakeId(value: unknown): value is string {
  // Among equal-length canonical decimals, string order is numeric order.
  return typeof value === 'string' && CANONICAL.test(value) && (value.length < MAX_ID.length || value <= MAX_ID);
}

/**
 * Orders two ids numerically (-1, 0 or 1), hence by creation time. Both must be
 * canonical decimals (see isSnowflakeId); they are not validated here because
 * this sits in sort loops. A shorter canonical decimal is a smaller number,
 * which is why plain string comparison would be wrong ("9" > "10").
 */
export function compareIds(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
