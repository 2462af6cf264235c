import { describe, expect, it } from 'vitest';
import { HashRing } from './hash-ring';

interface Node {
  id: string;
  weight: number;
}

const nodes = (n: number, weight = 1): Node[] => Array.from({ length: n }, (_, i) => ({ id: `spear-${i}`, weight }));
const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `uid-${i}`);

function owners(ring: HashRing<Node>, ks: string[]): (string | undefined)[] {
  return ks.map((k) => ring.get(k)?.id);
}

describe('HashRing', () => {
  it('maps a key to the same member every time, independent of member order', () => {
    const members = nodes(7);
    const ring = new HashRing(members);
    const shuffled = new HashRing([...members].reverse().sort(() => 0.5 - Math.random()));
    const ks = keys(5000);
    expect(owners(ring, ks)).toEqual(owners(ring, ks));
    expect(owners(shuffled, ks)).toEqual(owners(ring, ks));
    expect(shuffled.signature).toBe(ring.signature);
  });

  it('places round(weight * pointsPerWeight) points per member, at least 1 for a positive weight', () => {
    expect(new HashRing([{ id: 'a', weight: 1 }, { id: 'b', weight: 2 }]).size).toBe(480);
    expect(new HashRing([{ id: 'a', weight: 1.5 }], { pointsPerWeight: 10 }).size).toBe(15);
    expect(new HashRing([{ id: 'a', weight: 0.001 }, { id: 'b', weight: 0 }]).size).toBe(1);
  });

  it('gives each member a share of keys close to its share of weight', () => {
    // Ketama's spread is a property of the id set, not of sampling: at 160 points per
    // weight a share's standard deviation is about 1.6 pp, so roughly 1 id set in 10
    // misses ±3 pp somewhere (ids a/b/c give c 53.3%). These ids are typical node names.
    const ring = new HashRing([
      { id: 'spear-1', weight: 1 },
      { id: 'spear-2', weight: 2 },
      { id: 'spear-3', weight: 3 },
    ]);
    const counts = new Map<string, number>();
    const n = 100_000;
    for (const k of keys(n)) {
      const id = ring.get(k)!.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const m of ring.members) expect(Math.abs(counts.get(m.id)! / n - m.weight / 6), m.id).toBeLessThan(0.03);
  });

  it('tracks weights more tightly with more points per weight', () => {
    const ring = new HashRing(
      [
        { id: 'a', weight: 1 },
        { id: 'b', weight: 2 },
        { id: 'c', weight: 3 },
      ],
      { pointsPerWeight: 1600 },
    );
    const counts = new Map<string, number>();
    const n = 100_000;
    for (const k of keys(n)) {
      const id = ring.get(k)!.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const m of ring.members) expect(Math.abs(counts.get(m.id)! / n - m.weight / 6), m.id).toBeLessThan(0.015);
  });

  it('moves about 1/(N+1) of keys when a member joins, all of them to the newcomer', () => {
    const before = new HashRing(nodes(9));
    const after = new HashRing([...nodes(9), { id: 'spear-new', weight: 1 }]);
    const ks = keys(50_000);
    let moved = 0;
    for (const k of ks) {
      const from = before.get(k)!.id;
      const to = after.get(k)!.id;
      if (from !== to) {
        moved++;
        expect(to).toBe('spear-new');
      }
    }
    expect(Math.abs(moved / ks.length - 1 / 10)).toBeLessThan(0.03);
  });

  it('moves only the keys of a member that leaves', () => {
    const all = nodes(10);
    const before = new HashRing(all);
    const after = new HashRing(all.filter((m) => m.id !== 'spear-3'));
    for (const k of keys(20_000)) {
      const from = before.get(k)!.id;
      const to = after.get(k)!.id;
      if (from !== 'spear-3') expect(to).toBe(from);
      else expect(to).not.toBe('spear-3');
    }
  });

  it('returns undefined when no member has points, and never a weight 0 member', () => {
    expect(new HashRing([]).get('x')).toBeUndefined();
    expect(new HashRing([{ id: 'a', weight: 0 }]).get('x')).toBeUndefined();
    const ring = new HashRing([{ id: 'a', weight: 0 }, { id: 'b', weight: 1 }]);
    for (const k of keys(2000)) expect(ring.get(k)!.id).toBe('b');
  });

  it('returns the member objects it was given', () => {
    const members = nodes(3);
    const ring = new HashRing(members);
    for (const k of keys(100)) expect(members).toContain(ring.get(k));
  });

  it('rejects duplicate ids, invalid weights and invalid pointsPerWeight', () => {
    expect(() => new HashRing([{ id: 'a', weight: 1 }, { id: 'a', weight: 2 }])).toThrow(RangeError);
    for (const weight of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new HashRing([{ id: 'a', weight }])).toThrow(RangeError);
    for (const pointsPerWeight of [0, -1, Number.NaN]) expect(() => new HashRing([], { pointsPerWeight })).toThrow(RangeError);
  });

  it('rebinds its points to fresh objects with the same ids and weights', () => {
    const ring = new HashRing(nodes(5));
    const copies = nodes(5).reverse();
    const rebound = ring.withMembers(copies)!;
    for (const k of keys(1000)) {
      expect(copies).toContain(rebound.get(k));
      expect(rebound.get(k)!.id).toBe(ring.get(k)!.id);
    }
    expect(ring.sameMembers(copies)).toBe(true);
    expect(ring.withMembers(nodes(5, 2))).toBeUndefined();
    expect(ring.sameMembers(nodes(4))).toBe(false);
  });
});

describe('HashRing.getAvoiding', () => {
  const members = ['a', 'b', 'c'].map((id) => ({ id, weight: 1 }));
  const ring = new HashRing(members);

  it('answers where the key would go if the avoided members left the ring', () => {
    for (let i = 0; i < 2000; i++) {
      const key = `user-${i}`;
      const owner = ring.get(key)!.id;
      const without = new HashRing(members.filter((m) => m.id !== owner));
      expect(ring.getAvoiding(key, new Set([owner]))!.id).toBe(without.get(key)!.id);
      // Avoiding someone else changes nothing.
      const other = ['a', 'b', 'c'].find((id) => id !== owner)!;
      expect(ring.getAvoiding(key, new Set([other]))!.id).toBe(owner);
    }
  });

  it('falls back to the owner when every member is avoided', () => {
    expect(ring.getAvoiding('k', new Set(['a', 'b', 'c']))!.id).toBe(ring.get('k')!.id);
    expect(new HashRing([]).getAvoiding('k', new Set())).toBeUndefined();
  });
});
