import { describe, expect, it } from 'vitest';
import { ConsistentHashLoadBalancer } from './consistent-hash';
import type { Invocation } from './load-balancer';

const provider = (id: string, weight = 1) => ({ id, weight, active: 0 });
const providers = (n: number) => Array.from({ length: n }, (_, i) => provider(`10.0.0.${i}:9000`));
const callFor = (uid: string, extra: Partial<Invocation> = {}): Invocation => ({ service: 'ticket', method: 'route', args: [uid], ...extra });

describe('ConsistentHashLoadBalancer', () => {
  it('keeps a key on one provider', () => {
    const lb = new ConsistentHashLoadBalancer();
    const list = providers(5);
    for (let i = 0; i < 200; i++) {
      const first = lb.select(list, callFor(`uid-${i}`))!;
      for (let j = 0; j < 5; j++) expect(lb.select(list, callFor(`uid-${i}`))).toBe(first);
      // Another balancer, and a fresh list in another order, agree: the mapping is a function of ids and weights.
      expect(new ConsistentHashLoadBalancer().select([...providers(5)].reverse(), callFor(`uid-${i}`))!.id).toBe(first.id);
    }
  });

  it('moves about 1/N of keys when a provider joins, all to the newcomer', () => {
    const lb = new ConsistentHashLoadBalancer();
    const before = providers(7);
    const after = [...before, provider('10.0.0.99:9000')];
    const n = 40_000;
    // All lookups on one list, then on the other: alternating would rebuild the ring every call.
    const from = Array.from({ length: n }, (_, i) => lb.select(before, callFor(`uid-${i}`))!.id);
    const to = Array.from({ length: n }, (_, i) => lb.select(after, callFor(`uid-${i}`))!.id);
    let moved = 0;
    for (let i = 0; i < n; i++) {
      if (from[i] !== to[i]) {
        moved++;
        expect(to[i]).toBe('10.0.0.99:9000');
      }
    }
    expect(Math.abs(moved / n - 1 / 8)).toBeLessThan(0.03);
  });

  it('hashes hashKey when set, else the configured argument', () => {
    const list = providers(10);
    const byArg1 = new ConsistentHashLoadBalancer({ argIndex: 1 });
    const byArg0 = new ConsistentHashLoadBalancer();
    for (let i = 0; i < 100; i++) {
      const key = `k-${i}`;
      const expected = byArg0.select(list, callFor(key))!.id;
      expect(byArg1.select(list, callFor('ignored', { args: ['ignored', key] }))!.id).toBe(expected);
      expect(byArg0.select(list, callFor('ignored', { hashKey: key }))!.id).toBe(expected);
    }
    expect(() => new ConsistentHashLoadBalancer({ argIndex: -1 })).toThrow(RangeError);
  });

  it('rebuilds the ring only when ids or weights change, and answers with the current objects', () => {
    const lb = new ConsistentHashLoadBalancer();
    const list = providers(4);
    for (let i = 0; i < 100; i++) lb.select(list, callFor(`uid-${i}`));
    expect(lb.ringBuilds('ticket')).toBe(1);
    const fresh = providers(4).reverse();
    for (let i = 0; i < 100; i++) expect(fresh).toContain(lb.select(fresh, callFor(`uid-${i}`)));
    expect(lb.ringBuilds('ticket')).toBe(1);
    lb.select([...fresh, provider('new')], callFor('x'));
    expect(lb.ringBuilds('ticket')).toBe(2);
    lb.select(providers(4).map((p, i) => ({ ...p, weight: i === 0 ? 2 : 1 })), callFor('x'));
    expect(lb.ringBuilds('ticket')).toBe(3);
    lb.select(list, callFor('x', { service: 'stat' }));
    expect(lb.ringBuilds('stat')).toBe(1);
  });

  it('respects weights, drains weight 0, and treats all-zero weights as equal', () => {
    const lb = new ConsistentHashLoadBalancer();
    const weighted = [provider('a', 1), provider('b', 3), provider('drained', 0)];
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const id = lb.select(weighted, callFor(`uid-${i}`))!.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(counts.get('drained')).toBeUndefined();
    expect(Math.abs(counts.get('b')! / 20_000 - 0.75)).toBeLessThan(0.04);
    const zeros = [provider('x', 0), provider('y', 0)];
    const seen = new Set(Array.from({ length: 200 }, (_, i) => lb.select(zeros, callFor(`uid-${i}`, { service: 'z' }))!.id));
    expect(seen).toEqual(new Set(['x', 'y']));
  });

  it('returns undefined for an empty list and the objects it was given, duplicates included', () => {
    const lb = new ConsistentHashLoadBalancer();
    expect(lb.select([], callFor('a'))).toBeUndefined();
    const dup = [provider('a'), provider('a'), provider('b')];
    for (let i = 0; i < 100; i++) expect([dup[0], dup[2]]).toContain(lb.select(dup, callFor(`uid-${i}`)));
  });
});
