import { describe, expect, it } from 'vitest';
import { CallWindow, quantileMs, WINDOW_BUCKETS_MS } from './call-window';

describe('CallWindow', () => {
  it('accumulates calls, errors and latency per side, service, method and provider, and starts over on drain', () => {
    const w = new CallWindow();
    w.record('client', 'idgen', 'next', 'h:1', true, 0.2);
    w.record('client', 'idgen', 'next', 'h:1', false, 3);
    w.record('client', 'idgen', 'next', 'h:2', true, 7000);
    w.record('server', 'idgen', 'next', 'me:9', true, 1);
    const drained = w.drain();
    expect(drained).toHaveLength(3);
    const h1 = drained.find((e) => e.side === 'client' && e.provider === 'h:1')!;
    expect(h1).toMatchObject({ service: 'idgen', method: 'next', calls: 2, errors: 1, totalMs: 3.2, maxMs: 3 });
    expect(h1.buckets[0]).toBe(1); // <= 0.25 ms
    expect(h1.buckets[WINDOW_BUCKETS_MS.indexOf(5)]).toBe(1); // 3 ms falls under 5
    const h2 = drained.find((e) => e.provider === 'h:2')!;
    expect(h2.buckets.at(-1)).toBe(1); // overflow
    expect(w.drain()).toEqual([]);
  });
});

describe('quantileMs', () => {
  it('answers the bucket bound that holds the quantile', () => {
    const buckets = new Array<number>(WINDOW_BUCKETS_MS.length + 1).fill(0);
    buckets[2] = 98; // <= 1 ms
    buckets[8] = 2; // <= 100 ms
    expect(quantileMs(buckets, 0.5)).toBe(1);
    expect(quantileMs(buckets, 0.98)).toBe(1);
    expect(quantileMs(buckets, 0.99)).toBe(100);
    expect(quantileMs(buckets.map(() => 0), 0.99)).toBe(0);
  });
});
