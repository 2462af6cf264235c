import { describe, expect, it } from 'vitest';
import { ProtocolError } from '@spear/protocol';
import type { GroupHooks, HookCaller } from './group-hooks';
import { GroupPolicy, namespaceOf } from './group-policy';

const as = (uid: string): HookCaller => ({ uid, device: 'default', meta: null });

describe('GroupPolicy', () => {
  const members = new Set(['room:1/alice']);
  let asked = 0;
  const hookCalls: string[] = [];
  // The app's hooks: vip joins are for uids starting with "vip-"; publishes are refused when they say "spam", uppercased otherwise.
  const hooks: GroupHooks = {
    join: async (caller, group) => (hookCalls.push(`join ${group} ${caller.uid}/${caller.device}`), { allow: caller.uid.startsWith('vip-') }),
    publish: async (caller, group, body) => (hookCalls.push(`publish ${group} ${caller.uid}`), body === 'spam' ? { allow: false } : body === 'as is' ? { allow: true } : { allow: true, body: String(body).toUpperCase() }),
  };
  const policy = new GroupPolicy(
    { room: { policy: 'members', clientPublish: true }, news: { policy: 'open', clientPublish: false }, vip: { policy: 'hook', clientPublish: true }, board: { policy: 'hook', clientPublish: false } },
    async (group, uid) => {
      asked++;
      return members.has(`${group}/${uid}`);
    },
    hooks,
  );

  it('reads the namespace up to the first colon', () => {
    expect([namespaceOf('room:1'), namespaceOf('a:b:c'), namespaceOf('plain'), namespaceOf(':x')]).toEqual(['room', 'a', undefined, undefined]);
  });

  it('members: only members join and publish; forbidden names the group', async () => {
    await expect(policy.mayJoin(as('alice'), 'room:1')).resolves.toBeUndefined();
    await expect(policy.mayPublish(as('alice'), 'room:1', 'b')).resolves.toBe('b');
    await expect(policy.mayJoin(as('bob'), 'room:1')).rejects.toMatchObject({ code: 'forbidden', message: 'only members may join room:1' });
    await expect(policy.mayPublish(as('bob'), 'room:1', 'b')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('a namespace without client publish refuses every client publish, members or not, and lets anyone join', async () => {
    await expect(policy.mayPublish(as('alice'), 'news:today', 'b')).rejects.toMatchObject({ code: 'forbidden', message: 'clients may not publish to news:today' });
    await expect(policy.mayJoin(as('anyone'), 'news:today')).resolves.toBeUndefined();
  });

  it('hook: the join hook decides who joins; the publish hook refuses, lets through, or replaces the body', async () => {
    hookCalls.length = 0;
    await expect(policy.mayJoin({ uid: 'vip-1', device: 'phone', meta: null }, 'vip:lounge')).resolves.toBeUndefined();
    await expect(policy.mayJoin(as('bob'), 'vip:lounge')).rejects.toMatchObject({ code: 'forbidden', message: 'the join hook refused vip:lounge' });
    await expect(policy.mayPublish(as('bob'), 'vip:lounge', 'hello')).resolves.toBe('HELLO');
    await expect(policy.mayPublish(as('bob'), 'vip:lounge', 'as is')).resolves.toBe('as is');
    await expect(policy.mayPublish(as('bob'), 'vip:lounge', 'spam')).rejects.toMatchObject({ code: 'forbidden', message: 'the publish hook refused vip:lounge' });
    // A body the protocol refuses is refused before the hook is asked.
    const tooBig = (b: unknown) => {
      if (b === 'huge') throw new ProtocolError('too_large');
    };
    const asked = hookCalls.length;
    await expect(policy.mayPublish(as('bob'), 'vip:lounge', 'huge', tooBig)).rejects.toMatchObject({ code: 'too_large' });
    expect(hookCalls.length).toBe(asked);
    // No client publish in the namespace: refused before the hook is asked.
    await expect(policy.mayPublish(as('bob'), 'board:1', 'x')).rejects.toMatchObject({ code: 'forbidden' });
    expect(hookCalls).toEqual(['join vip:lounge vip-1/phone', 'join vip:lounge bob/default', 'publish vip:lounge bob', 'publish vip:lounge bob', 'publish vip:lounge bob']);
  });

  it('a hook namespace on a node without hooks refuses (never opens)', async () => {
    const bare = new GroupPolicy({ vip: { policy: 'hook', clientPublish: true } }, async () => true);
    await expect(bare.mayJoin(as('vip-1'), 'vip:x')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(bare.mayPublish(as('vip-1'), 'vip:x', 1)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('undeclared namespaces and plain names are open, and never ask for membership or hooks', async () => {
    const [before, hooksBefore] = [asked, hookCalls.length];
    for (const group of ['lobby', 'other:1', 'toString:1', '__proto__:x']) {
      await expect(policy.mayJoin(as('bob'), group)).resolves.toBeUndefined();
      await expect(policy.mayPublish(as('bob'), group, 1)).resolves.toBe(1);
    }
    expect([asked, hookCalls.length]).toEqual([before, hooksBefore]);
  });
});
