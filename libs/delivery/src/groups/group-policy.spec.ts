import { describe, expect, it } from 'vitest';
import { GroupPolicy, namespaceOf } from './group-policy';

describe('GroupPolicy', () => {
  const members = new Set(['room:1/alice']);
  let asked = 0;
  const policy = new GroupPolicy({ room: { policy: 'members', clientPublish: true }, news: { policy: 'open', clientPublish: false } }, async (group, uid) => {
    asked++;
    return members.has(`${group}/${uid}`);
  });

  it('reads the namespace up to the first colon', () => {
    expect([namespaceOf('room:1'), namespaceOf('a:b:c'), namespaceOf('plain'), namespaceOf(':x')]).toEqual(['room', 'a', undefined, undefined]);
  });

  it('members: only members join and publish; forbidden names the group', async () => {
    await expect(policy.mayJoin('alice', 'room:1')).resolves.toBeUndefined();
    await expect(policy.mayPublish('alice', 'room:1')).resolves.toBeUndefined();
    await expect(policy.mayJoin('bob', 'room:1')).rejects.toMatchObject({ code: 'forbidden', message: 'only members may join room:1' });
    await expect(policy.mayPublish('bob', 'room:1')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('a namespace without client publish refuses every client publish, members or not, and lets anyone join', async () => {
    await expect(policy.mayPublish('alice', 'news:today')).rejects.toMatchObject({ code: 'forbidden', message: 'clients may not publish to news:today' });
    await expect(policy.mayJoin('anyone', 'news:today')).resolves.toBeUndefined();
  });

  it('undeclared namespaces and plain names are open, and never ask for membership', async () => {
    const before = asked;
    for (const group of ['lobby', 'other:1', 'toString:1', '__proto__:x']) {
      await expect(policy.mayJoin('bob', group)).resolves.toBeUndefined();
      await expect(policy.mayPublish('bob', group)).resolves.toBeUndefined();
    }
    expect(asked).toBe(before);
  });
});
