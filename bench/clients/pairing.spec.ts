import { describe, expect, it } from 'vitest';
import { pairUp, type Pairable } from './pairing';

/** `perNode[k]` users on node `n<k>`, listed node by node as a worker would have them after connecting. */
const usersOn = (perNode: number[]): Pairable[] => perNode.flatMap((count, k) => Array.from({ length: count }, (_, i) => ({ uid: `n${k}-u${i}`, node: `n${k}` })));

function check(users: Pairable[], senders: Pairable[]) {
  const byUid = new Map(users.map((u) => [u.uid, u]));
  const receivers = senders.map((s) => byUid.get(s.to!)!);
  const roles = [...senders.map((s) => s.uid), ...receivers.map((r) => r.uid)];
  // Each user has one role at most: a receiver with two senders would break the per-sender order check.
  expect(new Set(roles).size).toBe(roles.length);
  const flows = new Map<string, number>();
  for (const [i, s] of senders.entries()) flows.set(`${s.node}->${receivers[i]!.node}`, (flows.get(`${s.node}->${receivers[i]!.node}`) ?? 0) + 1);
  return { receivers, flows };
}

describe('pairUp cross over more than two nodes', () => {
  it('pairs every user across nodes, each node sending to every other', () => {
    const users = usersOn([6, 6, 6, 6]);
    const { senders, crossPairs, samePairs } = pairUp(users, 'cross');
    const { receivers, flows } = check(users, senders);
    expect(senders).toHaveLength(12);
    expect([crossPairs, samePairs]).toEqual([12, 0]);
    senders.forEach((s, i) => expect(receivers[i]!.node).not.toBe(s.node));
    // Three rounds of four pairs with offsets 1, 2, 3: every ordered pair of the four nodes once.
    expect(flows.size).toBe(12);
    expect([...flows.values()].every((n) => n === 1)).toBe(true);
  });

  it('keeps pairing the nodes that still have users when the spread is uneven', () => {
    const users = usersOn([2, 9, 5]);
    const { senders, samePairs } = pairUp(users, 'cross');
    const { receivers } = check(users, senders);
    senders.forEach((s, i) => expect(receivers[i]!.node).not.toBe(s.node));
    expect(samePairs).toBe(0);
    // Round 1: all three nodes (3 pairs; n0 is done); round 2: n1 and n2 (2 pairs; n2 is down to one user). The rest of n1 idles.
    expect(senders).toHaveLength(5);
  });

  it('needs two nodes with two users each for a round', () => {
    expect(pairUp(usersOn([1, 1, 1]), 'cross').senders).toHaveLength(0);
    expect(pairUp(usersOn([7, 1, 1]), 'cross').senders).toHaveLength(0);
    expect(pairUp(usersOn([7, 2, 1]), 'cross').senders).toHaveLength(2);
  });
});

describe('pairUp with two nodes (what the other benches use)', () => {
  it('cross: a[i] with b[i], alternating direction', () => {
    const users = usersOn([3, 4]);
    const { senders, crossPairs } = pairUp(users, 'cross');
    expect(crossPairs).toBe(3);
    expect(senders.map((s) => `${s.uid}->${s.to}`)).toEqual(['n0-u0->n1-u0', 'n1-u1->n0-u1', 'n0-u2->n1-u2']);
  });

  it('mixed: a quarter of the users in pairs across nodes, the rest within', () => {
    const { crossPairs, samePairs } = pairUp(usersOn([8, 8]), 'mixed');
    expect([crossPairs, samePairs]).toEqual([4, 4]);
  });
});
