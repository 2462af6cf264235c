import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, SpearError, type GroupEvent } from '@spear/client';
import { issueToken, sleep, startServiceProcess, WORKSPACE_DIST, type ServiceProcess } from '@spear/testing';
import { E2E_BUSES, printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { pushToGroup, revokeToken, sdkUser, uidOn, type Recorded } from './support/sdk-helpers';
import { until } from './support/spear-client';

/** The rejection's SpearError code (fails the test when the promise resolves or rejects with anything else). */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpearError);
  return (error as SpearError).code;
}

describe.each(E2E_BUSES)('client SDK (@spear/client) against a two-node cluster (%s bus)', (bus) => {
  let bed: TestBed;
  const users: Recorded[] = [];
  const restarted: ServiceProcess[] = [];
  const user = async (...args: Parameters<typeof sdkUser>) => {
    const u = await sdkUser(...args);
    users.push(u);
    return u;
  };

  beforeAll(async () => {
    bed = await startTestBed({
      bus,
      overrides: {
        delivery: { groupHistory: { cap: 5, ttlSeconds: 600 } },
        // These tests reconnect the same uids many times; the default 30 tickets/min/uid would make them wait.
        ticket: { rateLimit: { perUid: { limit: 1000, windowMs: 60_000 } } },
      },
    });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.client.close();
    await Promise.all(restarted.map((s) => s.stop()));
    await bed?.close();
  });

  it('hands a stored inbox of 100 to a user who connects later, in order, then acks it (auto mode)', async () => {
    const a = await user(bed, 'sdk-alice');
    const sent: string[] = [];
    for (let i = 0; i < 100; i++) sent.push((await a.client.send('sdk-bob', { n: i }, `c-${i}`)).id);

    const bob = await user(bed, 'sdk-bob');
    await until(() => bob.msgs.length === 100);
    expect(bob.msgs.map((m) => m.id)).toEqual(sent);
    expect(bob.msgs.map((m) => (m.body as { n: number }).n)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(bob.msgs[0]).toMatchObject({ from: 'sdk-alice', to: 'sdk-bob', cid: 'c-0', ts: expect.any(Number) });

    // Acked after the handler returned: a later connection finds the inbox empty.
    await sleep(300);
    bob.client.close();
    const again = await user(bed, 'sdk-bob');
    await sleep(500);
    expect(again.msgs).toHaveLength(0);
  });

  it('manual mode: acks 50, and the next connection gets exactly the other 50', async () => {
    const a = await user(bed, 'sdk-alice-2');
    const sent: string[] = [];
    for (let i = 0; i < 100; i++) sent.push((await a.client.send('sdk-carol', i)).id);

    const carol = await user(bed, 'sdk-carol', { ackMode: 'manual' });
    await until(() => carol.msgs.length === 100);
    await carol.client.ack(carol.msgs.slice(0, 50).map((m) => m.id));
    carol.client.close();

    const next = await user(bed, 'sdk-carol', { ackMode: 'manual' });
    await until(() => next.msgs.length === 50);
    await sleep(300);
    expect(next.msgs.map((m) => m.id)).toEqual(sent.slice(50));
    expect(next.msgs.map((m) => m.body)).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
  });

  it('hands a message redelivered on a new connection to the app only once', async () => {
    const a = await user(bed, 'sdk-alice-3');
    const dan = await user(bed, 'sdk-dan', { ackMode: 'manual' });
    const { id } = await a.client.send('sdk-dan', 'once');
    await until(() => dan.msgs.length === 1);
    const firstSession = dan.client.session!.sessionId;

    // Not acked yet: the new connection's inbox replay delivers it a second time.
    await dan.client.reconnect();
    expect(dan.client.session!.sessionId).not.toBe(firstSession);
    await until(() => dan.client.stats.duplicates >= 1);
    await sleep(200);
    expect(dan.msgs.map((m) => m.id)).toEqual([id]);
    expect(dan.client.stats).toMatchObject({ delivered: 1, reconnects: 1 });
    expect(dan.events).toEqual(['reconnecting:manual', 'reconnected:' + dan.client.session!.node]);

    // Still live on the new connection.
    await a.client.send('sdk-dan', 'after');
    await until(() => dan.msgs.length === 2);
  });

  it('resolves send, publish, join (with since) and leave; refusals reject with their codes', async () => {
    const pub = await user(bed, 'sdk-pub');
    const member = await user(bed, 'sdk-member');
    const got: GroupEvent[] = [];
    member.client.on('group', (m) => void got.push(m));

    const sent = await pub.client.send('sdk-member', 'hi', 'cid-1');
    expect(sent).toEqual({ id: expect.stringMatching(/^\d+$/), ts: expect.any(Number) });
    await until(() => member.msgs.length === 1);
    expect(member.msgs[0]).toMatchObject({ id: sent.id, ts: sent.ts, cid: 'cid-1', body: 'hi' });

    await member.client.join('sdk-room');
    const ids: string[] = [];
    for (const body of ['a', 'b', 'c']) {
      const p = await pub.client.publish('sdk-room', body);
      expect(p).toEqual({ id: expect.stringMatching(/^\d+$/), ts: expect.any(Number) });
      ids.push(p.id);
    }
    await until(() => got.length === 3);
    expect(got.map((m) => [m.id, m.group, m.from, m.body])).toEqual(ids.map((id, i) => [id, 'sdk-room', 'sdk-pub', ['a', 'b', 'c'][i]]));

    const late = await user(bed, 'sdk-late');
    const lateGot: GroupEvent[] = [];
    late.client.on('group', (m) => void lateGot.push(m));
    await late.client.join('sdk-room', ids[0]);
    await until(() => lateGot.length === 2);
    expect(lateGot.map((m) => m.body)).toEqual(['b', 'c']);

    await member.client.leave('sdk-room');
    await pub.client.publish('sdk-room', 'd');
    await until(() => lateGot.length === 3);
    await sleep(200);
    expect(got).toHaveLength(3);

    const big = 'x'.repeat(70 * 1024);
    expect(await codeOf(pub.client.send('sdk-member', big))).toBe('too_large');
    expect(await codeOf(pub.client.publish('sdk-room', big))).toBe('too_large');
    expect(await codeOf(pub.client.send('not a uid', 1))).toBe('bad_request');
    expect(await codeOf(pub.client.join('sdk-room', 'yesterday'))).toBe('bad_request');
    for (const body of ['e', 'f', 'g']) await pub.client.publish('sdk-room', body); // history holds 5: ids[0] is trimmed
    expect(await codeOf(pub.client.join('sdk-room', ids[0]))).toBe('history_gone');
    // The client keeps serving after refusals.
    expect(await pub.client.send('sdk-member', 'still fine')).toMatchObject({ id: expect.any(String) });

    // close() settles a pending call with `closed`, and later calls too.
    const pending = pub.client.send('sdk-member', 'racing close');
    pub.client.close();
    expect(await codeOf(pending)).toBe('closed');
    expect(await codeOf(pub.client.publish('sdk-room', 1))).toBe('closed');
  });

  it('rejects a bad token at connect; a revoked token kicks the client (v1.1); an expired one keeps it from coming back', async () => {
    expect(await codeOf(connect({ ticketUrl: bed.cluster.ticketUrl, uid: 'sdk-nobody', token: 'not-a-token' }))).toBe('invalid_token');

    const eve = await user(bed, 'sdk-eve');
    const kicked = new Promise((resolve) => eve.client.on('kicked', resolve));
    await revokeToken(bed.cluster.ticketUrl, eve.token);
    expect(await kicked).toEqual({ reason: 'revoked' });
    expect(eve.client.connected).toBe(false);
    expect(await codeOf(eve.client.send('sdk-alice', 1))).toBe('kicked');

    // The connection in use stays valid when a token merely expires; the next one needs a ticket, which it cannot get.
    const token = await issueToken(bed.cluster.ticketUrl, 'sdk-frank', { ttlSeconds: 1 });
    const frank = await connect({ ticketUrl: bed.cluster.ticketUrl, uid: 'sdk-frank', token });
    const events: string[] = [];
    frank.on('error', (e) => void events.push(e.code));
    await new Promise((r) => setTimeout(r, 1200));
    expect(await codeOf(frank.reconnect())).toBe('invalid_token');
    expect(events).toContain('invalid_token');
    expect(frank.connected).toBe(false);
    expect(await codeOf(frank.send('sdk-alice', 1))).toBe('invalid_token');
  });

  it('devices (v1.1): a device closed while messages arrive gets every one on connect, in seq order; a device that acked gets none again', async () => {
    const uid = 'sdk-devices';
    // Two senders on different nodes: their messages reach the live device in whatever order the nodes forward them.
    const senders = [await user(bed, await uidOn(bed, 'spear-1', 'sdk-dev-s1')), await user(bed, await uidOn(bed, 'spear-2', 'sdk-dev-s2'))];
    const phone = await user(bed, uid, { device: 'phone' });
    expect(phone.client.session).toMatchObject({ uid, device: 'phone', gap: false });
    phone.client.close();
    const laptop = await user(bed, uid, { device: 'laptop' });

    const sent: string[] = [];
    for (let round = 0; round < 10; round++) {
      const pair = await Promise.all(senders.map((s, i) => s.client.send(uid, { round, from: i })));
      sent.push(...pair.map((p) => p.id));
    }
    await until(() => laptop.msgs.length === 20);
    expect(new Set(laptop.msgs.map((m) => m.id))).toEqual(new Set(sent));
    expect(laptop.msgs.map((m) => m.seq).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // close() sends the acks still waiting for ackDelayMs.
    laptop.client.close();
    await sleep(300);

    const phoneBack = await user(bed, uid, { device: 'phone' });
    await until(() => phoneBack.msgs.length === 20);
    expect(phoneBack.msgs.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(phoneBack.msgs.map((m) => m.id))).toEqual(new Set(sent));

    const laptopBack = await user(bed, uid, { device: 'laptop' });
    await sleep(500);
    expect(laptopBack.msgs).toHaveLength(0);
    expect(laptopBack.client.stats.duplicates).toBe(0);

    // The phone acked too (auto, after ackDelayMs): its next connection gets nothing either.
    await sleep(1500);
    phoneBack.client.close();
    await sleep(300);
    const phoneAgain = await user(bed, uid, { device: 'phone' });
    await sleep(500);
    expect(phoneAgain.msgs).toHaveLength(0);
  });

  it("history() returns the user's own log newest first, paged with before and limit, filtered with with", async () => {
    const uid = 'sdk-historian';
    const a = await user(bed, 'sdk-hist-a');
    const b = await user(bed, 'sdk-hist-b');
    const sent: Array<{ id: string; from: string }> = [];
    for (let i = 0; i < 6; i++) {
      const from = i % 2 ? b : a;
      sent.push({ id: (await from.client.send(uid, i)).id, from: from.client.uid });
    }
    const reader = await user(bed, uid, { device: 'reader' });
    await until(() => reader.msgs.length === 6);

    const all = await reader.client.history();
    expect(all.map((m) => [m.id, m.seq, m.body])).toEqual([...sent].reverse().map((s, i) => [s.id, 6 - i, 5 - i]));
    const page = await reader.client.history({ limit: 2 });
    expect(page.map((m) => m.seq)).toEqual([6, 5]);
    const next = await reader.client.history({ before: page.at(-1)!.seq!, limit: 2 });
    expect(next.map((m) => m.seq)).toEqual([4, 3]);
    const fromB = await reader.client.history({ with: 'sdk-hist-b' });
    expect(fromB.map((m) => m.seq)).toEqual([6, 4, 2]);
    expect(fromB.every((m) => m.from === 'sdk-hist-b')).toBe(true);
    expect(await codeOf(reader.client.history({ limit: 101 }))).toBe('bad_request');
  });

  it('moves clients off a draining node (migrate) under traffic: all end on the other node, no acked message lost', async () => {
    const uid = await uidOn(bed, 'spear-1', 'sdk-mover');
    const m = await user(bed, uid, { backoff: { minMs: 100, maxMs: 1000 }, timeoutMs: 30_000 });
    expect(m.client.session!.node).toBe('spear-1');
    const groupGot: GroupEvent[] = [];
    m.client.on('group', (e) => void groupGot.push(e));
    await m.client.join('sdk-mig-room');
    const sender = await user(bed, await uidOn(bed, 'spear-2', 'sdk-sender'));
    // More users on the draining node, each receiving a steady stream while it drains.
    const crowd: Recorded[] = [];
    for (let i = 0; crowd.length < 8; i++) {
      const candidate = await uidOn(bed, 'spear-1', `sdk-crowd${i}`);
      crowd.push(await user(bed, candidate, { backoff: { minMs: 100, maxMs: 1000 }, timeoutMs: 30_000 }));
    }

    await sender.client.send(uid, 'before');
    await sender.client.publish('sdk-mig-room', 'g-before');
    await until(() => m.msgs.length === 1 && groupGot.length === 1);

    const acked = new Map<string, string[]>(crowd.map((c) => [c.client.uid, []]));
    let streaming = true;
    const stream = (async () => {
      for (let n = 0; streaming; n++) {
        await Promise.all(crowd.map(async (c) => {
          const sent = await sender.client.send(c.client.uid, `s-${n}`).catch(() => undefined);
          if (sent) acked.get(c.client.uid)!.push(sent.id);
        }));
        await sleep(20);
      }
    })();
    await sleep(300);
    const stopping = bed.cluster.service('spear-spear-1').stop();
    // Sent and published while the client is moving: stored in its inbox / the group's history.
    const during = [];
    for (let i = 0; i < 5; i++) during.push((await sender.client.send(uid, `during-${i}`)).id);
    await sender.client.publish('sdk-mig-room', 'g-during');
    await stopping;
    await until(() => crowd.every((c) => c.client.connected && c.client.session?.node === 'spear-2'), 30_000);
    await sleep(300);
    streaming = false;
    await stream;

    await until(() => m.events.some((e) => e.startsWith('reconnected:')), 30_000);
    expect(m.events[0]).toBe('reconnecting:migrate');
    expect(m.client.session!.node).toBe('spear-2');
    expect(m.client.connected).toBe(true);

    await sender.client.send(uid, 'after');
    await sender.client.publish('sdk-mig-room', 'g-after');
    await until(() => m.msgs.length === 7 && groupGot.length === 3);
    await sleep(300);
    expect(m.msgs.map((x) => x.body)).toEqual(['before', 'during-0', 'during-1', 'during-2', 'during-3', 'during-4', 'after']);
    expect(groupGot.map((x) => x.body)).toEqual(['g-before', 'g-during', 'g-after']);
    expect(m.events.filter((e) => e.startsWith('error:'))).toEqual([]);
    // Every acked send reached its user (the SDK dropped redelivered duplicates), in send order.
    await until(() => crowd.every((c) => c.msgs.length >= acked.get(c.client.uid)!.length), 15_000);
    for (const c of crowd) {
      const ids = acked.get(c.client.uid)!;
      expect(ids.length).toBeGreaterThan(5);
      expect(c.msgs.map((x) => x.id)).toEqual(ids);
    }
  });

  it('calls made while reconnecting wait for the new connection, which rejoins groups from the last id seen', async () => {
    // After the previous test only spear-2 runs. A crash (no migrate) leaves the clients without any node.
    const uid = await uidOn(bed, 'spear-2', 'sdk-waiter');
    const w = await user(bed, uid, { backoff: { minMs: 100, maxMs: 1000 }, timeoutMs: 45_000 });
    const impatient = await user(bed, await uidOn(bed, 'spear-2', 'sdk-impatient'), { backoff: { minMs: 100, maxMs: 1000 }, timeoutMs: 1500 });
    const groupGot: GroupEvent[] = [];
    w.client.on('group', (e) => void groupGot.push(e));
    await w.client.join('sdk-wait-room');
    await pushToGroup(bed.cluster.ticketUrl, 'sdk-wait-room', 'g-1');
    await until(() => groupGot.length === 1);

    await bed.cluster.service('spear-spear-2').kill();
    await until(() => !w.client.connected && !impatient.client.connected);
    const waiting = w.client.send('sdk-someone', 'sent while away');
    const publishing = w.client.publish('sdk-wait-room', 'published while away');
    // Pushed while no node runs: only the rejoin with `since` can bring these.
    await pushToGroup(bed.cluster.ticketUrl, 'sdk-wait-room', 'g-away-1');
    await pushToGroup(bed.cluster.ticketUrl, 'sdk-wait-room', 'g-away-2');
    expect(await codeOf(impatient.client.send('sdk-someone', 'x'))).toBe('timeout');
    // connect() retries for connectTimeoutMs, then rejects with the last failure (ticket still naming the dead node, or none left).
    const token = await issueToken(bed.cluster.ticketUrl, 'sdk-late-comer');
    const noNode = await codeOf(connect({ ticketUrl: bed.cluster.ticketUrl, uid: 'sdk-late-comer', token, connectTimeoutMs: 1000 }));
    expect(['no_nodes', 'network']).toContain(noNode);

    // Bring spear-1 back: the waiting calls go out on the client's new connection there.
    const old = bed.cluster.service('spear-spear-1');
    restarted.push(
      await startServiceProcess({ app: 'spear', nodeId: 'spear-1', name: 'spear-spear-1-again', baseUrl: old.baseUrl, distDir: WORKSPACE_DIST, profileDir: bed.profileDir, logDir: join(bed.dir, 'logs') }),
    );
    expect(await waiting).toMatchObject({ id: expect.any(String) });
    expect(await publishing).toMatchObject({ id: expect.any(String) });
    expect(w.client.session!.node).toBe('spear-1');
    expect(w.events.some((e) => e.startsWith('reconnecting:disconnect'))).toBe(true);
    await until(() => groupGot.length === 4);
    expect(groupGot.map((e) => e.body)).toEqual(['g-1', 'g-away-1', 'g-away-2', 'published while away']);
  });
});
