import { adminHeaders } from '@spear/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_BUSES, printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { connectUser, until, type TestUser } from './support/spear-client';

const ADMIN = adminHeaders();

describe.each(E2E_BUSES)('ticket push API and presence, through spear delivery (%s bus)', (bus) => {
  let bed: TestBed;
  const users: TestUser[] = [];
  const post = (path: string, body: unknown, headers: Record<string, string> = ADMIN) =>
    fetch(`${bed.cluster.ticketUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const presence = async (uid: string, headers: Record<string, string> = ADMIN) => fetch(`${bed.cluster.ticketUrl}/v1/presence/${uid}`, { headers });
  const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  beforeAll(async () => {
    bed = await startTestBed({ bus });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.close();
    await bed?.close();
  });

  it('pushes to users: one id each, stored in the inbox and delivered as from "system"', async () => {
    const online = await connectUser(bed.cluster.ticketUrl, 'push-online');
    users.push(online);
    const res = await post('/v1/push/users', { uids: ['push-online', 'push-offline'], body: { kind: 'promo' } });
    expect(res.status).toBe(202);
    const { ids } = (await res.json()) as { ids: string[] };
    expect(ids).toHaveLength(2);
    await until(() => online.msgs.length === 1);
    expect(online.msgs[0]).toMatchObject({ id: ids[0], from: 'system', to: 'push-online', body: { kind: 'promo' } });
    const later = await connectUser(bed.cluster.ticketUrl, 'push-offline');
    users.push(later);
    await until(() => later.msgs.length === 1);
    expect(later.msgs[0]).toMatchObject({ id: ids[1], from: 'system' });
    // Acked like any other message: gone on the next connection.
    expect(await later.emit('ack', { ids: [ids[1]] })).toEqual({ ok: true });
    later.close();
    const again = await connectUser(bed.cluster.ticketUrl, 'push-offline');
    users.push(again);
    await new Promise((r) => setTimeout(r, 300));
    expect(again.msgs).toHaveLength(0);
  });

  it('pushes as a service (v1.1 `from: "svc:<name>"`); a user uid is no sender', async () => {
    const user = await connectUser(bed.cluster.ticketUrl, 'push-svc-target');
    users.push(user);
    const res = await post('/v1/push/users', { uids: ['push-svc-target'], body: 'invoice ready', from: 'svc:billing' });
    expect(res.status).toBe(202);
    await until(() => user.msgs.length === 1);
    expect(user.msgs[0]).toMatchObject({ from: 'svc:billing', to: 'push-svc-target', body: 'invoice ready' });
    for (const from of ['alice', 'svc:', 'svc:has space', 7]) {
      const refused = await post('/v1/push/users', { uids: ['push-svc-target'], body: 1, from });
      expect(refused.status, String(from)).toBe(400);
    }
  });

  it('pushes to a group and to everyone', async () => {
    const member = await connectUser(bed.cluster.ticketUrl, 'push-member');
    users.push(member);
    expect(await member.emit('join', { group: 'news' })).toEqual({ ok: true });
    const g = await post('/v1/push/groups', { group: 'news', body: 'headline' });
    expect(g.status).toBe(202);
    const { id } = (await g.json()) as { id: string };
    await until(() => member.groups.length === 1);
    expect(member.groups[0]).toMatchObject({ id, group: 'news', from: 'system', body: 'headline' });
    // Beyond PROTOCOL.md: a backend publishes to a group as itself; a user uid is no sender here either.
    expect((await post('/v1/push/groups', { group: 'news', body: 'from the desk', from: 'svc:newsdesk' })).status).toBe(202);
    await until(() => member.groups.length === 2);
    expect(member.groups[1]).toMatchObject({ group: 'news', from: 'svc:newsdesk', body: 'from the desk' });
    expect((await post('/v1/push/groups', { group: 'news', body: 1, from: 'alice' })).status).toBe(400);
    const b = await post('/v1/push/broadcast', { body: 'to all' });
    expect(b.status).toBe(202);
    await until(() => users.every((u) => !u.socket.connected || u.broadcasts.length === 1));
    expect(member.broadcasts[0]).toMatchObject({ body: 'to all' });
  });

  it('refuses bad push input, big bodies and a wrong admin key with the protocol codes', async () => {
    for (const [path, body] of [['/v1/push/users', { uids: [], body: 1 }], ['/v1/push/users', { uids: ['a b'], body: 1 }], ['/v1/push/groups', { body: 1 }], ['/v1/push/broadcast', {}]] as const) {
      const res = await post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(await code(res)).toBe('bad_request');
    }
    const big = 'x'.repeat(70 * 1024);
    for (const [path, body] of [['/v1/push/users', { uids: ['a'], body: big }], ['/v1/push/groups', { group: 'g', body: big }], ['/v1/push/broadcast', { body: big }]] as const) {
      const res = await post(path, body);
      expect(res.status).toBe(413);
      expect(await code(res)).toBe('too_large');
    }
    const res = await post('/v1/push/broadcast', { body: 1 }, adminHeaders('wrong'));
    expect(res.status).toBe(401);
    expect(await code(res)).toBe('unauthorized');
  });

  it('reports presence from the route table', async () => {
    const u = await connectUser(bed.cluster.ticketUrl, 'present-pat');
    users.push(u);
    expect(await (await presence('present-pat')).json()).toEqual({ uid: 'present-pat', online: true, nodes: [u.ready.node] });
    expect(await (await presence('nobody-here')).json()).toEqual({ uid: 'nobody-here', online: false, nodes: [] });
    u.close();
    await expect.poll(async () => ((await (await presence('present-pat')).json()) as { online: boolean }).online).toBe(false);
    expect((await presence('present-pat', {})).status).toBe(401);
    expect((await presence('bad%20uid')).status).toBe(400);
  });
});
