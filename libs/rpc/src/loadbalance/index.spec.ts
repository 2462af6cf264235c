import { describe, expect, it } from 'vitest';
import { createLoadBalancer, isLoadBalancerName, LOAD_BALANCER_NAMES, type LoadBalancerName } from './index';
import type { Invocation } from './load-balancer';

/** mulberry32: seeded, so a failing list can be reproduced. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('createLoadBalancer', () => {
  it('creates every named balancer and rejects unknown names', () => {
    for (const name of LOAD_BALANCER_NAMES) expect(createLoadBalancer(name).select).toBeTypeOf('function');
    expect(() => createLoadBalancer('roundRobin' as LoadBalancerName)).toThrow(/expected one of random, roundrobin/);
    expect(isLoadBalancerName('leastactive')).toBe(true);
    expect(isLoadBalancerName('least-active')).toBe(false);
  });

  it('every balancer answers from the list, and undefined only for an empty one', () => {
    // Small weights: lists change every round, so consistent hash rebuilds its ring each time.
    const weights = [0, 1, 2, 5, Number.NaN, -1, Number.POSITIVE_INFINITY];
    const random = seeded(2024);
    const pick = (n: number) => Math.floor(random() * n);
    for (const name of LOAD_BALANCER_NAMES) {
      const lb = createLoadBalancer(name);
      for (let round = 0; round < 1000; round++) {
        const n = round % 6;
        // Random ids (some duplicated), weights (some invalid) and active counts.
        const list = Array.from({ length: n }, () => ({
          id: `p${pick(8)}`,
          weight: weights[pick(weights.length)]!,
          active: pick(3),
        }));
        const call: Invocation = { service: `s${round % 3}`, method: 'm', args: [`k${round}`] };
        const chosen = lb.select(list, call);
        if (n === 0) expect(chosen, name).toBeUndefined();
        else expect(list, name).toContain(chosen);
      }
    }
  });
});
