import { describe, expect, it } from 'vitest';
import type { Invocation } from './load-balancer';
import { RandomLoadBalancer } from './random';

const call: Invocation = { service: 'idgen', method: 'next', args: [] };
const provider = (id: string, weight: number) => ({ id, weight, active: 0 });

/** mulberry32: a tiny seeded PRNG so the statistics are reproducible. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shares(lb: RandomLoadBalancer, providers: ReturnType<typeof provider>[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const id = lb.select(providers, call)!.id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return new Map([...counts].map(([id, c]) => [id, c / n]));
}

describe('RandomLoadBalancer', () => {
  it('follows weights 1:2:3 within 2 pp over 60k selections', () => {
    const providers = [provider('a', 1), provider('b', 2), provider('c', 3)];
    for (const lb of [new RandomLoadBalancer({ random: seeded(42) }), new RandomLoadBalancer()]) {
      const s = shares(lb, providers, 60_000);
      for (const p of providers) expect(Math.abs(s.get(p.id)! - p.weight / 6), p.id).toBeLessThan(0.02);
    }
  });

  it('is uniform for equal weights and for all-zero weights', () => {
    for (const weight of [100, 0]) {
      const providers = ['a', 'b', 'c', 'd'].map((id) => provider(id, weight));
      const s = shares(new RandomLoadBalancer({ random: seeded(7) }), providers, 40_000);
      for (const p of providers) expect(Math.abs(s.get(p.id)! - 0.25), p.id).toBeLessThan(0.02);
    }
  });

  it('never picks a drained (weight 0 or invalid weight) provider while another has weight', () => {
    const providers = [provider('zero', 0), provider('live', 1), provider('nan', Number.NaN), provider('neg', -5)];
    const s = shares(new RandomLoadBalancer({ random: seeded(1) }), providers, 5_000);
    expect([...s.keys()]).toEqual(['live']);
  });

  it('returns undefined for an empty list and stays inside the list at the edges of the random source', () => {
    expect(new RandomLoadBalancer().select([], call)).toBeUndefined();
    const weighted = [provider('a', 1), provider('b', 2)];
    const equal = [provider('x', 1), provider('y', 1)];
    // 1 is outside Math.random's range, but an injected source might return it.
    for (const r of [0, 0.5, 1 - Number.EPSILON, 1]) {
      const lb = new RandomLoadBalancer({ random: () => r });
      expect(weighted).toContain(lb.select(weighted, call));
      expect(equal).toContain(lb.select(equal, call));
    }
  });
});
