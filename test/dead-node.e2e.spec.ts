import { adminHeaders } from '@spear/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_BUSES, printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { connectUser, until, type TestUser } from './support/spear-client';

describe.each(E2E_BUSES)('a spear node that dies (%s bus)', (bus) => {
  let bed: TestBed;
  const users: TestUser[] = [];

  beforeAll(async () => {
    bed = await startTestBed({ bus, overrides: { zookeeper: { sessionTimeoutMs: 3000 } } });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.close();
    await bed?.close();
  });

  it('has its route entries purged by a survivor within the session timeout + 2 s; inboxes stay', async () => {
    const presence = async (uid: string) => (await (await fetch(`${bed.cluster.ticketUrl}/v1/presence/${uid}`, { headers: adminHeaders() })).json()) as { online: boolean; nodes: string[] };
    const victims: TestUser[] = [];
    for (let i = 0; victims.length < 3 && i < 100; i++) {
      const u = await connectUser(bed.cluster.ticketUrl, `victim-${i}`);
      users.push(u);
      if (u.ready.node === 'spear-1') victims.push(u);
    }
    expect(victims).toHaveLength(3);
    for (const v of victims) expect((await presence(v.uid)).nodes).toEqual(['spear-1']);
    const sender = users.find((u) => u.ready.node === 'spear-2')!;

    await bed.cluster.service('spear-spear-1').kill();
    const killedAt = Date.now();
    await until(() => victims.every((v) => !v.socket.connected), 5000);
    // Route entries live 60 s on their own; only the purge can remove them this fast.
    for (const end = killedAt + 3000 + 2000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      if ((await Promise.all(victims.map((v) => presence(v.uid)))).every((p) => !p.online)) break;
    }
    for (const v of victims) expect(await presence(v.uid)).toEqual({ uid: v.uid, online: false, nodes: [] });

    // Messages sent to them meanwhile wait in their inboxes.
    expect(await sender.emit('send', { to: victims[0]!.uid, body: 'while you were away' })).toMatchObject({ ok: true });
    const back = await connectUser(bed.cluster.ticketUrl, victims[0]!.uid);
    users.push(back);
    expect(back.ready.node).toBe('spear-2');
    await until(() => back.msgs.some((m) => m.body === 'while you were away'));
  });
});
