import { describe, expect, it } from 'vitest';
import { RingCache } from './ring-cache';
import { ringSignature } from './signature';

const nodes = (...specs: [string, number][]) => specs.map(([id, weight]) => ({ id, weight }));

describe('ringSignature', () => {
  it('depends on ids and weights, not order', () => {
    expect(ringSignature(nodes(['a', 1], ['b', 2]))).toBe(ringSignature(nodes(['b', 2], ['a', 1])));
    expect(ringSignature(nodes(['a', 1], ['b', 2]))).not.toBe(ringSignature(nodes(['a', 1], ['b', 3])));
    expect(ringSignature(nodes(['a,1', 1]))).not.toBe(ringSignature(nodes(['a', 1], ['1', 1])));
  });
});

describe('RingCache', () => {
  it('rebuilds only when ids or weights change', () => {
    const cache = new RingCache<{ id: string; weight: number }>();
    const list = nodes(['a', 1], ['b', 1]);
    const first = cache.get(list);
    expect(cache.get(list)).toBe(first);
    expect(cache.builds).toBe(1);

    // Same ids and weights in fresh objects and another order: no rehash, but answers are the new objects.
    const fresh = nodes(['b', 1], ['a', 1]);
    const rebound = cache.get(fresh);
    expect(cache.builds).toBe(1);
    expect(fresh).toContain(rebound.get('some-key'));
    expect(rebound.get('some-key')!.id).toBe(first.get('some-key')!.id);

    cache.get(nodes(['a', 1], ['b', 2]));
    expect(cache.builds).toBe(2);
    cache.get(nodes(['a', 1], ['b', 2], ['c', 1]));
    expect(cache.builds).toBe(3);
    cache.get(nodes(['a', 1], ['b', 2], ['c', 1]));
    expect(cache.builds).toBe(3);
  });

  it('notices a weight changed in place on the same objects', () => {
    const cache = new RingCache<{ id: string; weight: number }>();
    const list = nodes(['a', 1], ['b', 1]);
    cache.get(list);
    list[1]!.weight = 0;
    const ring = cache.get(list);
    expect(cache.builds).toBe(2);
    expect(ring.get('any')!.id).toBe('a');
  });

  it('passes pointsPerWeight through', () => {
    expect(new RingCache({ pointsPerWeight: 4 }).get(nodes(['a', 2])).size).toBe(8);
  });
});
