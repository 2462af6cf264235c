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

describe('TokenBucket with a cost', () => {
  it('takes several tokens at once, tells whether it could without taking, and knows when it is full again', () => {
    const b = new TokenBucket(1000, 1000);
    const t = Date.now();
    expect(b.take(t, 600)).toBe(true);
    expect(b.has(600, t)).toBe(false);
    expect(b.take(t, 600)).toBe(false);
    expect(b.full(t)).toBe(false);
    expect(b.has(600, t + 200)).toBe(true);
    expect(b.full(t + 600)).toBe(true);
  });
});
