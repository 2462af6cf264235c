import { describe, expect, it } from 'vitest';
import { LeastActiveLoadBalancer } from './least-active';
import type { Invocation } from './load-balancer';

const call: Invocation = { service: 'ticket', method: 'route', args: [] };
const provider = (id: string, weight: number, active: number) => ({ id, weight, active });

function counts(lb: LeastActiveLoadBalancer, providers: ReturnType<typeof provider>[], n: number): Map<string, number> {
  const c = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const id = lb.select(providers, call)!.id;
    c.set(id, (c.get(id) ?? 0) + 1);
  }
  return c;
}

describe('LeastActiveLoadBalancer', () => {
  it('picks the provider with the fewest in-flight calls', () => {
    const lb = new LeastActiveLoadBalancer();
    const providers = [provider('busy', 10, 7), provider('idle', 1, 0), provider('some', 5, 2)];
    expect([...counts(lb, providers, 1000).keys()]).toEqual(['idle']);
  });

  it('spreads ties by weight, and evenly for equal weights', () => {
    const lb = new LeastActiveLoadBalancer();
    const weighted = counts(lb, [provider('a', 1, 0), provider('b', 3, 0), provider('busy', 100, 1)], 40_000);
    expect(weighted.get('busy')).toBeUndefined();
    expect(Math.abs(weighted.get('a')! / 40_000 - 0.25)).toBeLessThan(0.02);
    const even = counts(lb, [provider('a', 1, 2), provider('b', 1, 2), provider('c', 1, 2)], 30_000);
    for (const id of ['a', 'b', 'c']) expect(Math.abs(even.get(id)! / 30_000 - 1 / 3), id).toBeLessThan(0.02);
  });

  it('follows active counts as the caller updates them', () => {
    const lb = new LeastActiveLoadBalancer();
    const providers = [provider('a', 1, 0), provider('b', 1, 0), provider('c', 1, 0)];
    // Never release: each pick raises the chosen one's count, so picks must stay level.
    for (let i = 0; i < 30; i++) lb.select(providers, call)!.active++;
    expect(providers.map((p) => p.active)).toEqual([10, 10, 10]);
  });

  it('skips a drained idle provider unless all are drained', () => {
    const lb = new LeastActiveLoadBalancer();
    expect(lb.select([provider('drained', 0, 0), provider('live', 1, 5)], call)!.id).toBe('live');
    expect(lb.select([provider('x', 0, 3), provider('y', 0, 1)], call)!.id).toBe('y');
  });

  it('returns undefined for an empty list and stays inside the list for odd active counts', () => {
    const lb = new LeastActiveLoadBalancer();
    expect(lb.select([], call)).toBeUndefined();
    const odd = [provider('a', 1, Number.NaN), provider('b', 1, Number.NaN)];
    expect(odd).toContain(lb.select(odd, call));
  });
});
