import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { hookCalls, startHttpHookBackend, startRpcHookBackend } from './support/hook-backends';
import { uidOn } from './support/sdk-helpers';
import { connectUser, until, type TestUser } from './support/spear-client';

const HOOK_SECRET = 'e2e-hook-secret-0123456789';
const TIMEOUT_MS = 500;
const UNDELIVERED_AFTER_S = 2;

/**
 * PROTOCOL.md v1.1: the connect and disconnect hooks (signed HTTP), and a `hook` namespace decided by its
 * join hook over Spear RPC (failure: refuse) and its publish hook over signed HTTP (failure: allow).
 */
describe('hooks: the app backend decides who connects, joins and publishes (two spear nodes)', () => {
  let bed: TestBed;
  let http: Awaited<ReturnType<typeof startHttpHookBackend>>;
  let rpc: Awaited<ReturnType<typeof startRpcHookBackend>> | undefined;
  const users: TestUser[] = [];
  const connect = async (node: string, prefix: string) => {
    const user = await connectUser(bed.cluster.ticketUrl, await uidOn(bed, node, prefix));
    users.push(user);
    return user;
  };

  beforeAll(async () => {
    http = await startHttpHookBackend(HOOK_SECRET);
    bed = await startTestBed({
      bus: 'redis',
      overrides: {
        secrets: { hookSecret: HOOK_SECRET },
        delivery: { undeliveredAfterSeconds: UNDELIVERED_AFTER_S },
        groups: { namespaces: { vip: { policy: 'hook' } } },
        spear: {
          hooks: {
            connect: { backend: { url: http.url('connect') }, timeoutMs: TIMEOUT_MS, onFailure: 'refuse' },
            disconnect: { backend: { url: http.url('disconnect') }, timeoutMs: TIMEOUT_MS },
            undelivered: { backend: { url: http.url('undelivered') }, timeoutMs: TIMEOUT_MS },
            join: { backend: { service: 'apphooks', method: 'hook.join' }, timeoutMs: TIMEOUT_MS, onFailure: 'refuse' },
            publish: { backend: { url: http.url('publish') }, timeoutMs: TIMEOUT_MS, onFailure: 'allow' },
          },
        },
      },
    });
    rpc = await startRpcHookBackend(bed.profileDir);
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.close();
    await rpc?.close();
    http?.close();
    await bed?.close();
  });

  it('the connect hook refuses with forbidden, or admits with groups joined before ready and meta that later hooks get; the disconnect hook hears each close once', async () => {
    await expect(connectUser(bed.cluster.ticketUrl, 'blocked-1')).rejects.toThrow('forbidden');
    const vip = await connect('spear-2', 'vip-c');
    expect(vip.ready.groups).toEqual(['vip:welcome']);
    const meta = { tier: 'gold', since: vip.ready.sessionId };
    expect(hookCalls.find((c) => c.hook === 'connect' && c.payload['uid'] === vip.uid)?.payload).toEqual({ uid: vip.uid, device: 'default', node: 'spear-2', sessionId: vip.ready.sessionId, ip: expect.any(String) });
    expect(await vip.emit('join', { group: 'vip:meta' })).toEqual({ ok: true });
    expect(hookCalls.find((c) => c.hook === 'join' && c.payload['group'] === 'vip:meta')?.payload).toEqual({ uid: vip.uid, device: 'default', group: 'vip:meta', meta });
    vip.close();
    await until(() => hookCalls.some((c) => c.hook === 'disconnect' && c.payload['uid'] === vip.uid), 3000);
    await new Promise((r) => setTimeout(r, 300));
    expect(hookCalls.filter((c) => c.hook === 'disconnect' && c.payload['uid'] === vip.uid).map((c) => c.payload)).toEqual([{ uid: vip.uid, device: 'default', sessionId: vip.ready.sessionId, reason: 'client namespace disconnect' }]);
    users.splice(users.indexOf(vip), 1);
  });

  it('the join hook (RPC) lets in whom it allows and refuses the others with forbidden, on either node; other groups never ask it', async () => {
    const [vip, other] = [await connect('spear-1', 'vip-a'), await connect('spear-2', 'plain-b')];
    expect(await vip.emit('join', { group: 'vip:lounge' })).toEqual({ ok: true });
    expect(await other.emit('join', { group: 'vip:lounge' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const asked = hookCalls.filter((c) => c.hook === 'join' && c.payload['group'] === 'vip:lounge').map((c) => c.payload);
    expect(asked).toEqual([
      { uid: vip.uid, device: 'default', group: 'vip:lounge', meta: { tier: 'gold', since: vip.ready.sessionId } },
      { uid: other.uid, device: 'default', group: 'vip:lounge', meta: null },
    ]);
    const joins = hookCalls.filter((c) => c.hook === 'join').length;
    expect(await other.emit('join', { group: 'lobby' })).toEqual({ ok: true });
    expect(hookCalls.filter((c) => c.hook === 'join')).toHaveLength(joins);
  });

  it('the publish hook (signed HTTP) rewrites the body every member gets, and refuses with forbidden', async () => {
    const [a, b] = [await connect('spear-1', 'vip-pa'), await connect('spear-2', 'vip-pb')];
    for (const u of [a, b]) expect(await u.emit('join', { group: 'vip:pub' })).toEqual({ ok: true });
    expect(await a.emit('publish', { group: 'vip:pub', body: { text: 'hello' } })).toMatchObject({ ok: true });
    await until(() => a.groups.length === 1 && b.groups.length === 1, 3000);
    for (const u of [a, b]) expect(u.groups[0]).toMatchObject({ group: 'vip:pub', from: a.uid, body: { text: 'hello (checked)' } });
    expect(await b.emit('publish', { group: 'vip:pub', body: { text: 'buy spam' } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(a.groups).toHaveLength(1);
    expect(http.badSignatures()).toBe(0);
    expect(hookCalls.find((c) => c.hook === 'publish')?.payload).toEqual({ uid: a.uid, device: 'default', group: 'vip:pub', body: { text: 'hello' }, meta: { tier: 'gold', since: a.ready.sessionId } });
  });

  it('a hook past its timeout follows its failure policy: the late join is refused, the late publish goes out as published', async () => {
    const slow = await connect('spear-1', 'slow-j');
    let started = Date.now();
    expect(await slow.emit('join', { group: 'vip:late' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
    const [a, b] = [await connect('spear-1', 'vip-la'), await connect('spear-2', 'vip-lb')];
    for (const u of [a, b]) expect(await u.emit('join', { group: 'vip:late' })).toEqual({ ok: true });
    started = Date.now();
    expect(await a.emit('publish', { group: 'vip:late', body: { text: 'slow but sure' } })).toMatchObject({ ok: true });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
    await until(() => b.groups.length === 1, 3000);
    expect(b.groups[0]!.body).toEqual({ text: 'slow but sure' }); // not rewritten: the hook's answer came too late
  });

  it('with the RPC backend gone, the join hook fails fast and refuses (its policy)', async () => {
    await rpc!.close();
    rpc = undefined;
    const vip = await connect('spear-2', 'vip-gone');
    const started = Date.now();
    expect(await vip.emit('join', { group: 'vip:gone' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 2000);
  });

  // Last: it SIGKILLs spear-1.
  it('undelivered: told once per message no device acked after the delay, never for an acked one, and even when the storing node was SIGKILLed', async () => {
    const sender = await connect('spear-1', 'u-sender');
    const reader = await connect('spear-2', 'u-reader');
    const told = () => hookCalls.filter((c) => c.hook === 'undelivered').map((c) => c.payload);
    const unread = (await sender.emit<{ id: string; ts: number }>('send', { to: 'u-offline-1', body: 'while you were out' })) as { ok: true; id: string; ts: number };
    const read = (await sender.emit<{ id: string }>('send', { to: reader.uid, body: 'read me' })) as { ok: true; id: string };
    await until(() => reader.msgs.length === 1, 3000);
    expect(await reader.emit('ack', { ids: [read.id] })).toEqual({ ok: true });
    const orphan = (await sender.emit<{ id: string }>('send', { to: 'u-offline-2', body: 'stored by a node about to die' })) as { ok: true; id: string };
    await bed.cluster.service('spear-spear-1').kill(); // SIGKILL: its checks are in Redis, due after it is gone
    const killedAt = Date.now();
    await until(() => told().length >= 2, (UNDELIVERED_AFTER_S + 6) * 1000);
    console.log(`undelivered told ${Date.now() - killedAt} ms after the storing node died`);
    await new Promise((r) => setTimeout(r, 3000)); // no second call for either
    expect(told()).toEqual(
      expect.arrayContaining([
        { uid: 'u-offline-1', id: unread.id, from: sender.uid, ts: unread.ts },
        { uid: 'u-offline-2', id: orphan.id, from: sender.uid, ts: expect.any(Number) },
      ]),
    );
    expect(told()).toHaveLength(2);
    expect(told().some((p) => p['id'] === read.id)).toBe(false);
  });
});
