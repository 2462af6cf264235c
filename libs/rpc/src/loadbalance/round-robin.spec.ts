import { describe, expect, it } from 'vitest';
import type { Invocation } from './load-balancer';
import { RoundRobinLoadBalancer } from './round-robin';

const call: Invocation = { service: 'stat', method: 'report', args: [] };
const provider = (id: string, weight: number) => ({ id, weight, active: 0 });
const nginx = () => [provider('a', 5), provider('b', 1), provider('c', 1)];

function sequence(lb: RoundRobinLoadBalancer, providers: ReturnType<typeof provider>[], n: number, on: Invocation = call): string[] {
  return Array.from({ length: n }, () => lb.select(providers, on)!.id);
}

describe('RoundRobinLoadBalancer', () => {
  it("produces nginx's documented smooth sequence for {a:5, b:1, c:1}", () => {
    expect(sequence(new RoundRobinLoadBalancer(), nginx(), 7).join(' ')).toBe('a a b a c a a');
  });

  it('gives exact shares over every cycle', () => {
    const lb = new RoundRobinLoadBalancer();
    const providers = [provider('a', 3), provider('b', 2), provider('c', 1), provider('d', 4)];
    for (let cycle = 0; cycle < 50; cycle++) {
      const counts = new Map<string, number>();
      for (const id of sequence(lb, providers, 10)) counts.set(id, (counts.get(id) ?? 0) + 1);
      for (const p of providers) expect(counts.get(p.id), p.id).toBe(p.weight);
    }
  });

  it('keeps separate state per service and method', () => {
    const lb = new RoundRobinLoadBalancer();
    const other: Invocation = { ...call, method: 'flush' };
    const a: string[] = [];
    const b: string[] = [];
    for (let i = 0; i < 7; i++) {
      a.push(lb.select(nginx(), call)!.id);
      b.push(lb.select(nginx(), other)!.id);
      lb.select(nginx(), { ...call, service: 'idgen' });
    }
    expect(a.join(' ')).toBe('a a b a c a a');
    expect(b.join(' ')).toBe('a a b a c a a');
  });

  it('forgets providers that left and rotates over the new set', () => {
    const lb = new RoundRobinLoadBalancer();
    sequence(lb, nginx(), 3);
    expect(lb.tracked(call.service, call.method)).toEqual(['a', 'b', 'c']);
    const next = [provider('a', 1), provider('c', 1), provider('d', 1)];
    const seen = sequence(lb, next, 30);
    expect(lb.tracked(call.service, call.method).sort()).toEqual(['a', 'c', 'd']);
    for (const id of ['a', 'c', 'd']) expect(seen.filter((s) => s === id).length, id).toBeGreaterThanOrEqual(9);
  });

  it('skips weight 0 providers unless all are 0, and counts duplicate ids once', () => {
    const lb = new RoundRobinLoadBalancer();
    expect(new Set(sequence(lb, [provider('a', 0), provider('b', 1), provider('c', 2)], 30))).toEqual(new Set(['b', 'c']));
    const zeros = [provider('a', 0), provider('b', 0)];
    expect(sequence(new RoundRobinLoadBalancer(), zeros, 4)).toEqual(['a', 'b', 'a', 'b']);
    const dup = [provider('a', 1), provider('a', 1), provider('b', 1)];
    const ids = sequence(new RoundRobinLoadBalancer(), dup, 4);
    expect(ids).toEqual(['a', 'b', 'a', 'b']);
  });

  it('returns undefined for an empty list and the objects it was given', () => {
    const lb = new RoundRobinLoadBalancer();
    expect(lb.select([], call)).toBeUndefined();
    const providers = nginx();
    for (let i = 0; i < 20; i++) expect(providers).toContain(lb.select(providers, call));
  });
});
