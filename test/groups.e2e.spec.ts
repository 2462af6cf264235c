import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, pollUntil, until } from '@spear/testing';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { uidOn } from './support/sdk-helpers';
import { connectUser, type TestUser } from './support/spear-client';

/** PROTOCOL.md v1.1: memberships through ticket's admin API, followed by live connections on every node; namespace policies (profile local: room = members, news = no client publish). */
describe('groups as a server-side resource (two spear nodes)', () => {
  let bed: TestBed;
  const users: TestUser[] = [];
  const api = (method: string, path: string) => fetch(`${bed.cluster.ticketUrl}${path}`, { method, headers: adminHeaders() });
  const connect = async (uid: string, device?: string) => {
    const user = await connectUser(bed.cluster.ticketUrl, uid, device);
    users.push(user);
    return user;
  };

  beforeAll(async () => {
    bed = await startTestBed({ bus: 'redis' });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.close();
    await bed?.close();
  });

  it('membership API: idempotent PUT and DELETE, pages sorted by uid, a user\'s groups sorted, bad names refused', async () => {
    for (const uid of ['m-c', 'm-a', 'm-b', 'm-a']) expect((await api('PUT', `/v1/groups/room:api/members/${uid}`)).status).toBe(204);
    const first = (await (await api('GET', '/v1/groups/room:api/members?limit=2')).json()) as { members: string[]; next: string | null };
    expect(first).toEqual({ members: ['m-a', 'm-b'], next: 'm-b' });
    expect(await (await api('GET', '/v1/groups/room:api/members?after=m-b&limit=2')).json()).toEqual({ members: ['m-c'], next: null });
    expect(await (await api('GET', '/v1/groups/room:api/members')).json()).toEqual({ members: ['m-a', 'm-b', 'm-c'], next: null });
    await api('PUT', '/v1/groups/lobby/members/m-a');
    expect(await (await api('GET', '/v1/users/m-a/groups')).json()).toEqual({ groups: ['lobby', 'room:api'] });
    for (let i = 0; i < 2; i++) expect((await api('DELETE', '/v1/groups/room:api/members/m-b')).status).toBe(204);
    expect(await (await api('GET', '/v1/groups/room:api/members')).json()).toEqual({ members: ['m-a', 'm-c'], next: null });
    for (const path of ['/v1/groups/bad%20name/members/x', '/v1/groups/g/members/bad%20uid']) expect((await api('PUT', path)).status, path).toBe(400);
    for (const q of ['limit=0', 'limit=1001', 'limit=x', 'after=bad%20uid']) expect((await api('GET', `/v1/groups/g/members?${q}`)).status, q).toBe(400);
    expect((await fetch(`${bed.cluster.ticketUrl}/v1/groups/g/members/x`, { method: 'PUT' })).status).toBe(401);
  });

  it('a member added while connected on the other node is in the group within 1 s and gets the next publish; removed, nothing more', async () => {
    const publisher = await connect(await uidOn(bed, 'spear-1', 'g-pub'));
    const alice = await connect(await uidOn(bed, 'spear-2', 'g-alice'));
    await api('PUT', `/v1/groups/room:live/members/${publisher.uid}`);
    const added = Date.now();
    expect((await api('PUT', `/v1/groups/room:live/members/${alice.uid}`)).status).toBe(204);
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - added))));
    expect(await publisher.emit('publish', { group: 'room:live', body: 'one' })).toMatchObject({ ok: true });
    await until(() => alice.groups.length === 1, 2000);
    await api('DELETE', `/v1/groups/room:live/members/${alice.uid}`);
    await new Promise((r) => setTimeout(r, 1000));
    await api('PUT', `/v1/groups/room:live/members/${publisher.uid}`);
    expect(await publisher.emit('publish', { group: 'room:live', body: 'two' })).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(alice.groups.map((m) => m.body)).toEqual(['one']);
  });

  it("a second device joins the user's groups at connect: ready.groups lists them", async () => {
    const uid = await uidOn(bed, 'spear-1', 'g-devices');
    for (const group of ['room:x', 'lobby-x']) await api('PUT', `/v1/groups/${group}/members/${uid}`);
    const phone = await connect(uid, 'phone');
    expect(phone.ready.groups).toEqual(['lobby-x', 'room:x']);
    const sender = await connect(await uidOn(bed, 'spear-2', 'g-sender'));
    await api('PUT', `/v1/groups/room:x/members/${sender.uid}`);
    await sender.emit('publish', { group: 'room:x', body: 'hello' });
    await until(() => phone.groups.length === 1, 2000);
  });

  it('GET /v1/groups/{group}: policy, member count, distinct uids online now across both nodes', async () => {
    const group = 'room:stats';
    expect(await (await api('GET', `/v1/groups/${group}`)).json()).toEqual({ group, policy: 'members', members: 0, online: 0 });
    const [a, b] = [await uidOn(bed, 'spear-1', 'st-a'), await uidOn(bed, 'spear-2', 'st-b')];
    for (const uid of [a, b, 'st-offline']) await api('PUT', `/v1/groups/${group}/members/${uid}`);
    const ua = await connect(a);
    const ub = await connect(b);
    await connect(b, 'second-device');
    const stats = () => api('GET', `/v1/groups/${group}`).then((r) => r.json() as Promise<{ online: number }>);
    await pollUntil(stats, (s) => s.online === 2, 2000);
    expect(await stats()).toEqual({ group, policy: 'members', members: 3, online: 2 });
    // Traffic: a burst of publishes shows in the rate and in the busiest groups (beyond PROTOCOL.md).
    for (let i = 0; i < 20; i++) await ua.emit('publish', { group, body: i });
    await new Promise((r) => setTimeout(r, 1100));
    const traffic = (await (await api('GET', `/v1/groups/${group}/traffic`)).json()) as { msgsPerSecond: number };
    expect(traffic.msgsPerSecond).toBeGreaterThanOrEqual(2);
    const busiest = (await (await api('GET', '/v1/groups?limit=3')).json()) as { busiest: Array<{ group: string; messages: number }> };
    expect(busiest.busiest).toContainEqual({ group, messages: 20 });
    expect((await api('GET', '/v1/groups?limit=0')).status).toBe(400);
    ua.close();
    ub.close();
    await new Promise((r) => setTimeout(r, 300));
    expect((await stats()).online).toBe(1); // b's other device
    expect(await (await api('GET', '/v1/groups/lobby-nobody')).json()).toEqual({ group: 'lobby-nobody', policy: 'open', members: 0, online: 0 });
    expect((await api('GET', '/v1/groups/bad%20name')).status).toBe(400);
  });

  it('policies: members-only namespace refuses non-members with forbidden; news refuses every client publish; the push API still publishes there', async () => {
    const outsider = await connect(await uidOn(bed, 'spear-1', 'g-out'));
    expect(await outsider.emit('join', { group: 'room:private' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await outsider.emit('publish', { group: 'room:private', body: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await outsider.emit('join', { group: 'news:today' })).toEqual({ ok: true });
    expect(await outsider.emit('publish', { group: 'news:today', body: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const res = await fetch(`${bed.cluster.ticketUrl}/v1/push/groups`, { method: 'POST', headers: adminHeaders(), body: JSON.stringify({ group: 'news:today', body: 'headline' }) });
    expect(res.status).toBe(202);
    await until(() => outsider.groups.length === 1, 2000);
    expect(outsider.groups[0]).toMatchObject({ group: 'news:today', from: 'system', body: 'headline' });
    expect(await outsider.emit('join', { group: 'lobby' })).toEqual({ ok: true }); // no namespace: open, as in v1
  });
});
