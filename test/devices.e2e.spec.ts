import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, issueToken } from '@spear/testing';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { connectUser, ticketFor, until, type TestUser } from './support/spear-client';
import { io } from 'socket.io-client';

type Sent = { id: string; ts: number; seq?: number };
type History = { messages: Array<{ id: string; from: string; to: string; body: unknown; seq: number }> };

/** A uid whose node (by the ring) is `nodeId`, so a test can put sender and recipient on different nodes. */
async function uidOn(bed: TestBed, nodeId: string, prefix: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const uid = `${prefix}-${i}`;
    if ((await ticketFor(bed.cluster.ticketUrl, uid)).node.id === nodeId) return uid;
  }
  throw new Error(`no uid with prefix ${prefix} maps to ${nodeId}`);
}

/** PROTOCOL.md "Delivery, v1.1" end to end: two spear nodes, real Redis, the user's log with per-device state. */
describe('every device gets every message (two spear nodes, redis bus)', () => {
  let bed: TestBed;
  const users: TestUser[] = [];
  const connect = async (uid: string, device?: string) => {
    const user = await connectUser(bed.cluster.ticketUrl, uid, device);
    users.push(user);
    return user;
  };

  beforeAll(async () => {
    bed = await startTestBed({
      bus: 'redis',
      overrides: {
        delivery: {
          log: { cap: 5, ttlSeconds: 3600, maxBytes: 1024 * 1024 },
          senderCopies: true,
          quotas: { knownUsersOnly: true, offlinePerSender: { perSecond: 0.01, burst: 8 } },
        },
      },
    });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.close();
    await bed?.close();
  });

  it('two devices, one offline while the other acks everything: the offline one gets every message, in seq order', async () => {
    const alice = await connect(await uidOn(bed, 'spear-1', 'alice'));
    const bob = await uidOn(bed, 'spear-2', 'bob');
    const laptop = await connect(bob, 'laptop');
    expect(laptop.ready).toMatchObject({ uid: bob, node: 'spear-2', device: 'laptop', groups: [], gap: false });
    const sent: Sent[] = [];
    for (let i = 1; i <= 4; i++) sent.push((await alice.emit<Sent>('send', { to: bob, body: i })) as Sent);
    await until(() => laptop.msgs.length === 4);
    expect(laptop.msgs.map((m) => [m.id, m.seq])).toEqual(sent.map((s, i) => [s.id, i + 1]));
    expect(await laptop.emit('ack', { upTo: 4 })).toEqual({ ok: true });
    const phone = await connect(bob, 'phone');
    await until(() => phone.msgs.length === 4);
    expect(phone.msgs.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    laptop.close();
    const again = await connect(bob, 'laptop');
    await new Promise((r) => setTimeout(r, 300));
    expect(again.msgs).toEqual([]);
  });

  it('retention drops the oldest: a device that had not acked them gets ready.gap once', async () => {
    const sender = await connect(await uidOn(bed, 'spear-1', 'gap-sender'));
    const carol = 'gap-carol';
    await issueToken(bed.cluster.ticketUrl, carol); // known: may receive
    for (let i = 1; i <= 7; i++) expect(await sender.emit('send', { to: carol, body: i })).toMatchObject({ ok: true });
    const first = await connect(carol, 'tablet');
    expect(first.ready.gap).toBe(true);
    await until(() => first.msgs.length === 5);
    expect(first.msgs.map((m) => m.seq)).toEqual([3, 4, 5, 6, 7]);
    first.close();
    expect((await connect(carol, 'tablet')).ready.gap).toBe(false);
  });

  it("sender copies: the sender's other device gets the send, history shows the conversation newest first", async () => {
    const dan = await uidOn(bed, 'spear-1', 'dan');
    const erin = await uidOn(bed, 'spear-2', 'erin');
    const danLaptop = await connect(dan, 'laptop');
    const danPhone = await connect(dan, 'phone');
    const erinApp = await connect(erin);
    const sent = (await danLaptop.emit<Sent>('send', { to: erin, body: 'hello' })) as Sent;
    expect(sent).toMatchObject({ ok: true, seq: 1 });
    await until(() => danPhone.msgs.length === 1 && erinApp.msgs.length === 1);
    expect(danPhone.msgs[0]).toMatchObject({ id: sent.id, from: dan, to: erin, seq: 1 });
    expect(danLaptop.msgs).toEqual([]);
    await erinApp.emit('send', { to: dan, body: 'hi back' });
    const history = (await danLaptop.emit<History>('history', { with: erin })) as History;
    expect(history.messages.map((m) => [m.from, m.body, m.seq])).toEqual([[erin, 'hi back', 2], [dan, 'hello', 1]]);
    const page = (await danLaptop.emit<History>('history', { before: 2, limit: 1 })) as History;
    expect(page.messages.map((m) => m.seq)).toEqual([1]);
    expect(await danLaptop.emit('history', { limit: 500 })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('quotas refuse with their codes and leave other users alone: unknown recipients, offline ones past the budget', async () => {
    const spammer = await connect(await uidOn(bed, 'spear-1', 'spammer'));
    expect(await spammer.emit('send', { to: 'never-seen-uid', body: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const away = [];
    for (let i = 0; i < 10; i++) away.push(`away-${i}`);
    for (const uid of away) await issueToken(bed.cluster.ticketUrl, uid);
    const acks = [];
    for (const uid of away) acks.push(await spammer.emit('send', { to: uid, body: 'x' }));
    expect(acks.filter((a) => a.ok)).toHaveLength(8);
    expect(acks.slice(8)).toEqual([expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'rate_limited' }) }), expect.anything()]);
    // Online recipients still get the spammer's messages; another sender reaches the offline ones.
    const online = await connect(await uidOn(bed, 'spear-1', 'online'));
    expect(await spammer.emit('send', { to: online.uid, body: 'still' })).toMatchObject({ ok: true });
    const other = await connect(await uidOn(bed, 'spear-2', 'other'));
    expect(await other.emit('send', { to: away[9], body: 'fine' })).toMatchObject({ ok: true });
    // The admin push is not a user's send: it reaches a uid no one has seen.
    const res = await fetch(`${bed.cluster.ticketUrl}/v1/push/users`, { method: 'POST', headers: adminHeaders(), body: JSON.stringify({ uids: ['never-seen-2'], body: 'hello' }) });
    expect(res.status).toBe(202);
  });

  it('refuses a malformed device at the handshake with bad_request, keeping the ticket usable', async () => {
    const { ticket, node } = await ticketFor(bed.cluster.ticketUrl, 'dev-check');
    const attempt = (device: unknown) =>
      new Promise<string>((resolve) => {
        const socket = io(node.url, { auth: { ticket, device }, transports: ['websocket'], reconnection: false, forceNew: true });
        socket.once('ready', (r: { device: string }) => (socket.close(), resolve(`ready:${r.device}`)));
        socket.once('connect_error', (e) => (socket.close(), resolve(e.message)));
      });
    expect(await attempt('no spaces allowed')).toBe('bad_request');
    expect(await attempt('x'.repeat(65))).toBe('bad_request');
    expect(await attempt('watch-1')).toBe('ready:watch-1');
  });
});
