import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst, then the rate, and counts strikes', () => {
    const b = new TokenBucket(10, 3);
    const t = Date.now();
    expect([b.take(t), b.take(t), b.take(t), b.take(t)]).toEqual([true, true, true, false]);
    expect(b.strikes).toBe(1);
    expect(b.take(t + 100)).toBe(true); // 100 ms at 10/s = 1 token
    expect(b.strikes).toBe(0);
    expect(b.take(t + 100)).toBe(false);
  });
});
