import { HashRing, type HashRingOptions } from './hash-ring';
import type { RingMember } from './signature';

/**
 * Keeps one {@link HashRing} and rehashes only when the members' ids or
 * weights change, so callers can pass the current member list on every lookup.
 *
 * Guarantees: `get(members)` returns a ring equal to `new HashRing(members)`
 * (same mapping) whose answers are objects from `members` itself, never stale
 * copies from an earlier list. Cost per call: O(n) without allocation when the
 * list holds the same objects with the same ids and weights as last time;
 * O(n log n) without rehashing when only the objects or their order changed;
 * a full build otherwise.
 */
export class RingCache<T extends RingMember> {
  private ring: HashRing<T> | undefined;
  /** The list last passed in, copied (callers may mutate theirs), with the ids and weights seen then. */
  private last: readonly T[] = [];
  private lastIds: string[] = [];
  private lastWeights: number[] = [];
  private fullBuilds = 0;

  constructor(private readonly options: HashRingOptions = {}) {}

  /** Full ring builds so far (for tests and metrics). */
  get builds(): number {
    return this.fullBuilds;
  }

  /** A ring over exactly `members`; see the class comment for when it rebuilds. */
  get(members: readonly T[]): HashRing<T> {
    if (this.ring !== undefined && this.unchanged(members)) return this.ring;
    let ring = this.ring?.withMembers(members);
    if (ring === undefined) {
      ring = new HashRing(members, this.options);
      this.fullBuilds++;
    }
    this.ring = ring;
    this.last = [...members];
    this.lastIds = members.map((m) => m.id);
    this.lastWeights = members.map((m) => m.weight);
    return ring;
  }

  private unchanged(members: readonly T[]): boolean {
    if (members.length !== this.last.length) return false;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (m !== this.last[i] || m.id !== this.lastIds[i] || !Object.is(m.weight, this.lastWeights[i])) return false;
    }
    return true;
  }
}
