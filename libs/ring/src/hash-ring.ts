import { ketamaHash, ketamaPoints } from './ketama';
import { ringSignature, type RingMember } from './signature';

/** 160 points per weight unit: libketama's 40 MD5 digests of 4 points each. */
export const DEFAULT_POINTS_PER_WEIGHT = 160;

export interface HashRingOptions {
  /** Points placed on the circle per unit of weight (default 160); more points, smoother shares, slower builds. */
  readonly pointsPerWeight?: number;
}

/**
 * Points are sorted as `point * OWNER_SPACE + ownerIndex` in one Float64Array:
 * one numeric typed-array sort, with equal points ordered by owner index
 * (members sorted by id), so collisions resolve the same in every process.
 * 2^21 * 2^32 = 2^53 keeps every packed value an exact double.
 */
const OWNER_SPACE = 2 ** 21;

/** The sorted points and, for each, the index of its member. Immutable once built. */
interface Table {
  readonly points: Uint32Array;
  readonly owners: Uint32Array;
}

/**
 * A weighted ketama consistent-hash ring.
 *
 * Guarantees:
 * - Deterministic: the mapping depends only on the members' ids and weights
 *   and on `pointsPerWeight`, never on their order, the process or time.
 * - A member gets `round(weight * pointsPerWeight)` points (at least 1 for
 *   any positive weight), so its share of keys tends to its share of the total
 *   weight; weight 0 members get none and are never returned.
 * - Adding or removing a member only moves keys to or from that member.
 * - `get` returns one of `members`, or undefined when no member has points.
 *
 * Immutable: build a new ring (or use {@link RingCache}) when members change.
 */
export class HashRing<T extends RingMember> {
  /** The members, sorted by id. */
  readonly members: readonly T[];
  /** {@link ringSignature} of the members: with equal `pointsPerWeight`, equal signatures mean identical rings. */
  readonly signature: string;
  readonly pointsPerWeight: number;
  private readonly table: Table;

  /**
   * @throws RangeError on a duplicate id, a weight that is negative or not
   *   finite, or a `pointsPerWeight` that is not a positive finite number.
   */
  constructor(members: readonly T[], options: HashRingOptions = {}) {
    const pointsPerWeight = options.pointsPerWeight ?? DEFAULT_POINTS_PER_WEIGHT;
    if (!(pointsPerWeight > 0 && Number.isFinite(pointsPerWeight))) {
      throw new RangeError(`pointsPerWeight must be a positive number, got ${pointsPerWeight}`);
    }
    this.members = sortedById(members);
    this.signature = ringSignature(this.members);
    this.pointsPerWeight = pointsPerWeight;
    this.table = buildTable(this.members, pointsPerWeight);
  }

  /** Number of points on the circle (0 for an empty ring or all-zero weights). */
  get size(): number {
    return this.table.points.length;
  }

  /**
   * The member owning `key`: the first point clockwise at or after the key's
   * hash ({@link ketamaHash}), wrapping around. Undefined only when the ring
   * has no points. O(log points), allocation-free.
   */
  get(key: string): T | undefined {
    const { points, owners } = this.table;
    const n = points.length;
    if (n === 0) return undefined;
    return this.members[owners[this.firstPointAtOrAfter(ketamaHash(key))]!];
  }

  /**
   * The member owning `key` once the members in `avoid` are left out: the
   * next point clockwise owned by anyone else, i.e. where `key` would go if
   * those members left the ring. When every member is avoided, the same as
   * {@link get}. Allocation-free.
   */
  getAvoiding(key: string, avoid: ReadonlySet<string>): T | undefined {
    const { points, owners } = this.table;
    const n = points.length;
    if (n === 0) return undefined;
    const start = this.firstPointAtOrAfter(ketamaHash(key));
    for (let i = 0; i < n; i++) {
      const member = this.members[owners[(start + i) % n]!]!;
      if (!avoid.has(member.id)) return member;
    }
    return this.members[owners[start]!];
  }

  private firstPointAtOrAfter(h: number): number {
    const { points } = this.table;
    const n = points.length;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === n ? 0 : lo;
  }

  /** True when `members` have exactly this ring's ids and weights (in any order): no rebuild needed. */
  sameMembers(members: readonly RingMember[]): boolean {
    return ringSignature(members) === this.signature;
  }

  /**
   * This ring's points bound to other objects with the same ids and weights
   * (e.g. fresh copies from a registry), without rehashing; undefined when the
   * ids or weights differ. The returned ring answers with the new objects.
   */
  withMembers<U extends RingMember>(members: readonly U[]): HashRing<U> | undefined {
    const sorted = sortedById(members);
    if (ringSignature(sorted) !== this.signature) return undefined;
    // Bypasses the constructor on purpose: the point table is the expensive part and is shared as is.
    const ring = Object.create(HashRing.prototype) as HashRing<U>;
    return Object.assign(ring, {
      members: sorted,
      signature: this.signature,
      pointsPerWeight: this.pointsPerWeight,
      table: this.table,
    });
  }
}

function sortedById<T extends RingMember>(members: readonly T[]): T[] {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 0; i < sorted.length; i++) {
    const { id, weight } = sorted[i]!;
    if (typeof id !== 'string') throw new RangeError(`ring member ids must be strings, got ${typeof id}`);
    if (i > 0 && sorted[i - 1]!.id === id) throw new RangeError(`duplicate ring member id ${JSON.stringify(id)}`);
    if (!(weight >= 0 && Number.isFinite(weight))) {
      throw new RangeError(`ring member ${JSON.stringify(id)} has invalid weight ${weight}`);
    }
  }
  if (sorted.length > OWNER_SPACE) throw new RangeError(`a ring holds at most ${OWNER_SPACE} members`);
  return sorted;
}

function buildTable(members: readonly RingMember[], pointsPerWeight: number): Table {
  // At least one point for any positive weight, so a ring with a positive weight always answers.
  const counts = members.map((m) => (m.weight > 0 ? Math.max(1, Math.round(m.weight * pointsPerWeight)) : 0));
  const packed = new Float64Array(counts.reduce((a, b) => a + b, 0));
  let n = 0;
  members.forEach((m, owner) => {
    ketamaPoints(m.id, counts[owner]!, (point) => {
      packed[n++] = point * OWNER_SPACE + owner;
    });
  });
  packed.sort();
  const points = new Uint32Array(packed.length);
  const owners = new Uint32Array(packed.length);
  for (let i = 0; i < packed.length; i++) {
    // Exact: OWNER_SPACE is a power of two and every packed value is below 2^53.
    const point = Math.floor(packed[i]! / OWNER_SPACE);
    points[i] = point;
    owners[i] = packed[i]! - point * OWNER_SPACE;
  }
  return { points, owners };
}
