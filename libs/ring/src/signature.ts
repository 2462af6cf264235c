/** What a ring is built from: a stable id and a non-negative weight. */
export interface RingMember {
  readonly id: string;
  readonly weight: number;
}

/**
 * A canonical string of the members' ids and weights, independent of their
 * order: two member lists with equal signatures produce identical rings (with
 * the same points per weight), so callers rebuild only when it changes.
 */
export function ringSignature(members: readonly RingMember[]): string {
  // JSON keeps ids with any characters unambiguous; sorting removes order dependence.
  return JSON.stringify(members.map((m): [string, number] => [m.id, m.weight]).sort(byId));
}

function byId(a: [string, number], b: [string, number]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
