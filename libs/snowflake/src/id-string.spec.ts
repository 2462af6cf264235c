import { describe, expect, it } from 'vitest';
import { compareIds, isSnowflakeId } from './id-string';
import { MAX_ID } from './layout';

describe('isSnowflakeId', () => {
  it('accepts canonical decimals from 0 to 2^63-1', () => {
    for (const ok of ['0', '1', '4096', '123456789012345678', MAX_ID, String(2n ** 63n - 2n)]) expect(isSnowflakeId(ok), ok).toBe(true);
  });

  it('refuses everything else', () => {
    const bad: unknown[] = ['', '01', '-1', '+1', '1.0', '1e3', ' 1', '1 ', 'abc', String(2n ** 63n), '18446744073709551615', '10000000000000000000', 1, 1n, null];
    for (const value of bad) expect(isSnowflakeId(value), String(value)).toBe(false);
  });
});

describe('compareIds', () => {
  it('orders numerically, not lexicographically', () => {
    expect(compareIds('9', '10')).toBe(-1);
    expect(compareIds('10', '9')).toBe(1);
    expect(compareIds('123', '123')).toBe(0);
    expect(compareIds('1000000000000000001', '1000000000000000002')).toBe(-1);
    const ids = ['100', '20', '3', MAX_ID, '0', '99'];
    expect([...ids].sort(compareIds)).toEqual(['0', '3', '20', '99', '100', MAX_ID]);
  });
});
