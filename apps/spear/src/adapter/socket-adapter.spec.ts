import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeCore } from '@spear/delivery';
import { CountingIds, MemoryBusNetwork, MemoryLocks, MemoryStores, RecordingLogger, testOptions } from '@spear/delivery/testing';
import { signTicket, ticketKeys } from '@spear/tickets';
import { bindToCore } from './bind-events';
import type { ConnectInfo, ConnectVerdict } from '../backends/hook-client';
import { ticketHandshake } from './handshake';
import type { SpearServer, SpearSocket } from './socket-data';
import { SocketTransport } from './socket-transport';

// The socket.io adapter around a real node core (in-memory stores and bus): handshake refusals,
// events answered through acks, rooms, disconnects. A real socket.io server and client; no engines.
const keys = ticketKeys('adapter-spec-ticket-secret');
const ticket = (uid: string, nodeId = 'n1', expiresAt = Date.now() + 30_000) => signTicket(keys, { uid, nodeId, expiresAt });

interface Harness {
  http: HttpServer;
  io: SpearServer;
  core: NodeCore<SpearSocket>;
  stores: MemoryStores;
  url: string;
  full: boolean;
  noncesDown: boolean;
  /** What the disconnect hook heard. */
  disconnects: Array<{ uid: string; sessionId: string; reason: string }>;
}

/** The connect hook of these tests: "banned" is refused; "vip" gets a group and meta; everyone else is admitted plainly. */
async function admit(info: ConnectInfo): Promise<ConnectVerdict> {
  if (info.uid === 'banned') return { allow: false };
  if (info.uid === 'vip') return { allow: true, groups: ['vip:lounge'], meta: { tier: 'gold', ip: info.ip, node: info.node } };
  return { allow: true, groups: [], meta: null };
}

describe('socket.io adapter', () => {
  let h: Harness;
  const clients: ClientSocket[] = [];

  beforeEach(async () => {
    const http = createServer();
    const io: SpearServer = new Server(http, { transports: ['websocket'] });
    const stores = new MemoryStores();
    const core = new NodeCore<SpearSocket>(testOptions('n1'), {
      transport: new SocketTransport(io),
      store: stores.forNode('n1'),
      bus: new MemoryBusNetwork().bus(),
      ids: new CountingIds(),
      locks: new MemoryLocks(),
      logger: new RecordingLogger(),
      // Echoes who called: what an rpc backend is given.
      routes: { call: async (caller, method, data) => ({ caller, method, data }) },
    });
    await core.start();
    const used = new Set<string>();
    h = { http, io, core, stores, url: '', full: false, noncesDown: false, disconnects: [] };
    io.use(
      ticketHandshake({
        keys,
        nodeId: 'n1',
        nonces: {
          consume: async (nonce) => {
            if (h.noncesDown) throw new Error('redis down');
            if (used.has(nonce)) return false;
            used.add(nonce);
            return true;
          },
        },
        accepting: () => core.accepting,
        full: () => h.full,
        admit,
      }),
    );
    bindToCore(io, core, (info) => h.disconnects.push(info));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    h.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await h.core.close();
    await new Promise<void>((r) => h.io.close(() => r()));
  });

  function client(auth: object): ClientSocket {
    const socket = connectClient(h.url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
    clients.push(socket);
    return socket;
  }

  const refusal = (socket: ClientSocket) => new Promise<string>((resolve) => socket.once('connect_error', (e) => resolve(e.message)));
  const next = <T>(socket: ClientSocket, event: string) => new Promise<T>((resolve) => socket.once(event, resolve));

  it('refuses handshakes with the protocol codes', async () => {
    expect(await refusal(client({}))).toBe('invalid_ticket');
    expect(await refusal(client({ ticket: 'garbage' }))).toBe('invalid_ticket');
    expect(await refusal(client({ ticket: ticket('a', 'n2') }))).toBe('wrong_node');
    expect(await refusal(client({ ticket: ticket('a', 'n1', Date.now() - 1) }))).toBe('expired_ticket');
    // A malformed device is refused before the ticket is spent: the same ticket then works.
    const kept = ticket('a');
    for (const device of ['', 'has space', 'x'.repeat(65), 7]) expect(await refusal(client({ ticket: kept, device }))).toBe('bad_request');
    expect(await next(client({ ticket: kept, device: 'phone-1' }), 'ready')).toMatchObject({ uid: 'a', device: 'phone-1', gap: false, groups: [] });
    const once = ticket('a');
    await next(client({ ticket: once }), 'ready');
    expect(await refusal(client({ ticket: once }))).toBe('invalid_ticket'); // single use
    h.noncesDown = true;
    expect(await refusal(client({ ticket: ticket('a') }))).toBe('invalid_ticket');
    h.noncesDown = false;
    h.full = true;
    expect(await refusal(client({ ticket: ticket('a') }))).toBe('draining');
    h.full = false;
    h.core.drain('test');
    expect(await refusal(client({ ticket: ticket('a') }))).toBe('draining');
  });

  it('binds events to the core: ready, send with ack, msg to the recipient, bad_request, ack', async () => {
    const alice = client({ ticket: ticket('alice') });
    expect(await next(alice, 'ready')).toEqual({ uid: 'alice', node: 'n1', sessionId: alice.id, device: 'default', groups: [], gap: false });
    const bob = client({ ticket: ticket('bob') });
    await next(bob, 'ready');
    const incoming = next<{ id: string; from: string; body: unknown }>(bob, 'msg');
    const ack = await alice.emitWithAck('send', { to: 'bob', body: { hi: 1 } });
    expect(ack).toMatchObject({ ok: true, id: expect.any(String), ts: expect.any(Number) });
    expect(await incoming).toMatchObject({ id: ack.id, from: 'alice', body: { hi: 1 }, seq: 1 });
    expect(await alice.emitWithAck('send', { to: 'bob' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await bob.emitWithAck('ack', { ids: [ack.id] })).toEqual({ ok: true });
    expect(h.stores.unacked('bob')).toEqual([]);
    expect(await bob.emitWithAck('history', { limit: 5 })).toMatchObject({ ok: true, messages: [{ id: ack.id, seq: 1 }] });
    alice.emit('send', { to: 'bob', body: 'no ack callback' }); // must not crash the node
    expect(await alice.emitWithAck('leave', { group: 'g' })).toEqual({ ok: true });
  });

  it('the connect hook: refused is forbidden; admitted joins its groups before ready and carries meta into rpc calls; the disconnect hook hears once', async () => {
    expect(await refusal(client({ ticket: ticket('banned') }))).toBe('forbidden');
    const vip = client({ ticket: ticket('vip') });
    expect(await next(vip, 'ready')).toMatchObject({ uid: 'vip', groups: ['vip:lounge'] });
    const other = client({ ticket: ticket('other') });
    await next(other, 'ready');
    const got = next<{ body: unknown }>(vip, 'group');
    await other.emitWithAck('publish', { group: 'vip:lounge', body: 'welcome' });
    expect(await got).toMatchObject({ body: 'welcome' });
    const answer = await vip.emitWithAck('rpc', { method: 'who.am.i', data: 1 });
    expect(answer).toEqual({ ok: true, data: { caller: { uid: 'vip', device: 'default', sessionId: vip.id, node: 'n1', meta: { tier: 'gold', ip: expect.any(String), node: 'n1' } }, method: 'who.am.i', data: 1 } });
    expect((await other.emitWithAck('rpc', { method: 'x' })).data.caller.meta).toBeNull();
    const sessionId = vip.id;
    vip.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(h.disconnects).toEqual([{ uid: 'vip', device: 'default', sessionId, reason: 'client namespace disconnect' }]);
  });

  it('serves an event emitted right after connect, before ready', async () => {
    const early = client({ ticket: ticket('early') });
    const ack = await new Promise((resolve) => early.once('connect', () => void early.emitWithAck('send', { to: 'x', body: 1 }).then(resolve)));
    expect(ack).toMatchObject({ ok: true });
    expect(h.stores.unacked('x')).toHaveLength(1);
  });

  it('fans group messages out through rooms, and a disconnect leaves them', async () => {
    const [a, b] = [client({ ticket: ticket('a') }), client({ ticket: ticket('b') })];
    await Promise.all([next(a, 'ready'), next(b, 'ready')]);
    await a.emitWithAck('join', { group: 'room' });
    expect(h.io.sockets.adapter.rooms.get('g:room')?.size).toBe(1);
    const got = next<{ group: string; body: unknown }>(a, 'group');
    await b.emitWithAck('publish', { group: 'room', body: 'hello' });
    expect(await got).toMatchObject({ group: 'room', from: 'b', body: 'hello' });
    a.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(h.core.sessionCount).toBe(1);
    expect(h.core.groupCount).toBe(0);
    expect(h.io.sockets.adapter.rooms.get('g:room')).toBeUndefined();
  });

  it('drain tells connected clients to migrate, and close disconnects whoever stays', async () => {
    const a = client({ ticket: ticket('a') });
    await next(a, 'ready');
    const migrate = next(a, 'migrate');
    const gone = next<string>(a, 'disconnect');
    const closing = h.core.close();
    expect(await migrate).toEqual({ reason: 'shutdown', retryAfterMs: 10 });
    await closing;
    expect(await gone).toBe('io server disconnect');
  });
});
