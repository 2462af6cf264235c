import { describe, expect, it } from 'vitest';
import { backoffDelay, migrateDelay } from './backoff';

const opts = { minMs: 100, maxMs: 5_000 };

describe('backoffDelay', () => {
  it('is uniform in [minMs, min(maxMs, minMs * 2^(attempt+1))] at the extremes of the random source', () => {
    expect(backoffDelay(0, opts, () => 0)).toBe(100);
    expect(backoffDelay(0, opts, () => 1)).toBe(200);
    expect(backoffDelay(3, opts, () => 1)).toBe(1600);
    expect(backoffDelay(5, opts, () => 1)).toBe(5_000); // 6400 capped
    expect(backoffDelay(5, opts, () => 0)).toBe(100); // full jitter: the floor stays reachable
  });

  it('stays within its bounds for random draws, any attempt (even huge ones)', () => {
    for (const attempt of [0, 1, 2, 4, 8, 16, 100, 10_000]) {
      const ceiling = Math.min(opts.maxMs, opts.minMs * 2 ** Math.min(attempt + 1, 40));
      const draws = Array.from({ length: 500 }, () => backoffDelay(attempt, opts));
      expect(draws.every(Number.isFinite), `attempt ${attempt}`).toBe(true);
      expect(Math.min(...draws), `attempt ${attempt}`).toBeGreaterThanOrEqual(opts.minMs);
      expect(Math.max(...draws), `attempt ${attempt}`).toBeLessThanOrEqual(ceiling);
    }
  });

  it('spreads: draws for one attempt are not all the same', () => {
    const draws = new Set(Array.from({ length: 50 }, () => backoffDelay(4, opts)));
    expect(draws.size).toBeGreaterThan(10);
  });

  it('handles minMs === maxMs (no room for jitter)', () => {
    expect(backoffDelay(3, { minMs: 300, maxMs: 300 })).toBe(300);
  });
});

describe('migrateDelay', () => {
  it('waits at least retryAfterMs, plus up to max(retryAfterMs, minMs) of jitter', () => {
    expect(migrateDelay(1000, opts, () => 0)).toBe(1000);
    expect(migrateDelay(1000, opts, () => 1)).toBe(2000);
    expect(migrateDelay(0, opts, () => 1)).toBe(100);
    const draws = Array.from({ length: 200 }, () => migrateDelay(200, opts));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...draws)).toBeLessThanOrEqual(400);
  });

  it('treats a missing or bad retryAfterMs as 0', () => {
    expect(migrateDelay(Number.NaN, opts, () => 0)).toBe(0);
    expect(migrateDelay(-5, opts, () => 1)).toBe(100);
  });
});
