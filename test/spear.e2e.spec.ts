import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '@spear/protocol';
import { signTicket, ticketKeys } from '@spear/tickets';
import { stopRedis } from './support/bed-engines';
import { E2E_BUSES, printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { connectUser, connectWithTicket, ticketFor, until, type TestUser } from './support/spear-client';

/** Users whose tickets land on the given node (the ring decides; we pick uids that hash there). */
async function userOn(bed: TestBed, nodeId: string, prefix: string): Promise<TestUser> {
  for (let i = 0; i < 200; i++) {
    const uid = `${prefix}-${i}`;
    const { node } = await ticketFor(bed.cluster.ticketUrl, uid);
    if (node.id === nodeId) return connectUser(bed.cluster.ticketUrl, uid);
  }
  throw new Error(`no uid with prefix ${prefix} maps to ${nodeId}`);
}

describe.each(E2E_BUSES)('spear gateway over two nodes (%s bus)', (bus) => {
  let bed: TestBed;
  let secret: string;
  const users: TestUser[] = [];
  const track = (u: TestUser) => (users.push(u), u);

  beforeAll(async () => {
    bed = await startTestBed({
      bus,
      overrides: { delivery: { groupHistory: { cap: 5, ttlSeconds: 600 } }, spear: { rateLimit: { eventsPerSecond: 50, burst: 60, strikes: 1000 } } },
    });
    secret = JSON.parse(readFileSync(join(bed.profileDir, 'profile.json'), 'utf8')).secrets.ticketSecret;
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.close();
    await bed?.close();
  });

  it('refuses handshakes without a valid, fresh, unused ticket for this node', async () => {
    const spear1 = bed.cluster.service('spear-spear-1').baseUrl;
    const spear2 = bed.cluster.service('spear-spear-2').baseUrl;
    const keys = ticketKeys(secret);
    const refusal = (url: string, ticket: unknown) => connectWithTicket(url, ticket).then(() => 'connected', (e: Error) => e.message);
    expect(await refusal(spear1, undefined)).toBe('invalid_ticket');
    expect(await refusal(spear1, 'forged.ticket')).toBe('invalid_ticket');
    expect(await refusal(spear1, signTicket(ticketKeys('not-the-real-secret-123'), { uid: 'm', nodeId: 'spear-1', expiresAt: Date.now() + 30_000 }))).toBe('invalid_ticket');
    expect(await refusal(spear1, signTicket(keys, { uid: 'm', nodeId: 'spear-1', expiresAt: Date.now() - 1 }))).toBe('expired_ticket');
    const forTwo = signTicket(keys, { uid: 'm', nodeId: 'spear-2', expiresAt: Date.now() + 30_000 });
    expect(await refusal(spear1, forTwo)).toBe('wrong_node');
    const ok = await connectWithTicket(spear2, forTwo);
    ok.close();
    expect(await refusal(spear2, forTwo)).toBe('invalid_ticket'); // a replay
  });

  it('says ready, then delivers a send across nodes with id, ts and cid, in order', async () => {
    const alice = track(await userOn(bed, 'spear-1', 'alice'));
    const bob = track(await userOn(bed, 'spear-2', 'bob'));
    expect(alice.ready).toMatchObject({ uid: alice.uid, node: 'spear-1', sessionId: expect.any(String) });
    const ack = await alice.emit<{ id: string; ts: number }>('send', { to: bob.uid, body: { text: 'hi' }, cid: 'c-1' });
    expect(ack).toMatchObject({ ok: true, id: expect.stringMatching(/^\d+$/), ts: expect.any(Number) });
    // The first message on a fresh Kafka topic can wait for the client's metadata under load; later ones do not.
    await until(() => bob.msgs.length === 1, 30_000);
    expect(bob.msgs[0]).toEqual({ id: (ack as { id: string }).id, from: alice.uid, to: bob.uid, body: { text: 'hi' }, ts: (ack as { ts: number }).ts, cid: 'c-1', seq: 1 });
    const acks = await Promise.all(Array.from({ length: 40 }, (_, i) => alice.emit<{ id: string }>('send', { to: bob.uid, body: i })));
    await until(() => bob.msgs.length === 41);
    expect(bob.msgs.slice(1).map((m) => m.body)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(bob.msgs.slice(1).map((m) => m.id)).toEqual(acks.map((a) => (a as { id: string }).id));
  });

  it('keeps messages for an offline user until acked, redelivering on every new connection', async () => {
    const sender = track(await userOn(bed, 'spear-1', 'sender'));
    const uid = 'offline-carol';
    const sent = [];
    for (const body of ['one', 'two', 'three']) sent.push(((await sender.emit<{ id: string }>('send', { to: uid, body })) as { id: string }).id);
    const first = track(await connectUser(bed.cluster.ticketUrl, uid));
    await until(() => first.msgs.length === 3);
    expect(first.msgs.map((m) => m.body)).toEqual(['one', 'two', 'three']);
    expect(await first.emit('ack', { ids: sent.slice(0, 2) })).toEqual({ ok: true });
    first.close();
    const second = track(await connectUser(bed.cluster.ticketUrl, uid));
    await until(() => second.msgs.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(second.msgs.map((m) => m.body)).toEqual(['three']);
  });

  it('delivers to every connection of a user', async () => {
    const sender = track(await userOn(bed, 'spear-2', 'multi-sender'));
    const a = track(await connectUser(bed.cluster.ticketUrl, 'multi-dan'));
    const b = track(await connectUser(bed.cluster.ticketUrl, 'multi-dan'));
    await sender.emit('send', { to: 'multi-dan', body: 'both' });
    await until(() => a.msgs.length === 1 && b.msgs.length === 1);
  });

  it('answers bad input with bad_request and big bodies with too_large, and keeps serving', async () => {
    const u = track(await userOn(bed, 'spear-1', 'badin'));
    for (const payload of [null, 'x', {}, { to: '' }, { to: 'a b', body: 1 }, { to: 'ok' }, { to: 'ok', body: 1, cid: 7 }]) {
      expect(await u.emit('send', payload)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    expect(await u.emit('join', { group: 'g', since: 'yesterday' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await u.emit('ack', { ids: [] })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await u.emit('send', { to: 'someone', body: 'x'.repeat(70 * 1024) })).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(await u.emit('publish', { group: 'g', body: 'x'.repeat(70 * 1024) })).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(await u.emit('send', { to: 'someone', body: 'fine' })).toMatchObject({ ok: true });
  });

  it('answers an event flood with rate_limited', async () => {
    const u = track(await userOn(bed, 'spear-2', 'flood'));
    const acks = await Promise.all(Array.from({ length: 150 }, () => u.emit('leave', { group: 'nothing' })));
    const limited = acks.filter((a) => !a.ok && a.error.code === 'rate_limited').length;
    expect(limited).toBeGreaterThan(50);
    expect(acks.filter((a) => a.ok).length).toBeGreaterThanOrEqual(60);
  });

  it('fans group messages out across nodes; join with since replays history; leave stops delivery', async () => {
    const g = 'room-1';
    const p = track(await userOn(bed, 'spear-1', 'pub'));
    const m1 = track(await userOn(bed, 'spear-1', 'mem1'));
    const m2 = track(await userOn(bed, 'spear-2', 'mem2'));
    expect(await m1.emit('join', { group: g })).toEqual({ ok: true });
    expect(await m2.emit('join', { group: g })).toEqual({ ok: true });
    const ids: string[] = [];
    for (const body of ['a', 'b', 'c']) {
      const ack = await p.emit<{ id: string }>('publish', { group: g, body });
      expect(ack).toMatchObject({ ok: true });
      ids.push((ack as { id: string }).id);
    }
    await until(() => m1.groups.length === 3 && m2.groups.length === 3);
    expect(m2.groups.map((m) => [m.group, m.from, m.body])).toEqual([[g, p.uid, 'a'], [g, p.uid, 'b'], [g, p.uid, 'c']]);
    expect(p.groups).toHaveLength(0); // not a member

    const late = track(await userOn(bed, 'spear-2', 'late'));
    expect(await late.emit('join', { group: g, since: ids[0] })).toEqual({ ok: true });
    await until(() => late.groups.length === 2);
    expect(late.groups.map((m) => m.body)).toEqual(['b', 'c']);

    expect(await m2.emit('leave', { group: g })).toEqual({ ok: true });
    await p.emit('publish', { group: g, body: 'd' });
    await until(() => m1.groups.length === 4);
    await new Promise((r) => setTimeout(r, 200));
    expect(m2.groups).toHaveLength(3);

    // History holds 5: after three more, the first id is out of reach.
    for (const body of ['e', 'f', 'g']) await p.emit('publish', { group: g, body });
    const gone = track(await userOn(bed, 'spear-1', 'gone'));
    expect(await gone.emit('join', { group: g, since: ids[0] })).toMatchObject({ ok: false, error: { code: 'history_gone' } });
  });

  it('while Redis is down a send fails with internal (never a false ack), and works again once it is back', async () => {
    const a = track(await userOn(bed, 'spear-1', 'outage-a'));
    const startAgain = await stopRedis(bed);
    const ack = await a.emit('send', { to: 'outage-b', body: 'lost?' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'internal' } });
    await startAgain();
    let after: Ack<{ id: string }> | undefined;
    for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      after = await a.emit<{ id: string }>('send', { to: 'outage-b', body: 'after' });
      if (after.ok) break;
    }
    expect(after).toMatchObject({ ok: true });
    const b = track(await connectUser(bed.cluster.ticketUrl, 'outage-b'));
    await until(() => b.msgs.length === 1);
    // Only the acked message exists: the refused one was never stored.
    expect(b.msgs.map((m) => m.body)).toEqual(['after']);
  });
});