import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { signTicket, ticketKeys } from '@spear/tickets';
import { ProxyTrust } from './client-address';
import { ticketHandshake } from './handshake';
import { guardHandshakes, type HandshakeGuard } from './handshake-guard';
import type { PendingLimits } from './pending-handshakes';
import type { SpearServer } from './socket-data';

// A real socket.io server with the guard and the ticket handshake; clients are raw websockets that never send a
// ticket (from several loopback addresses: Linux routes all of 127/8 to lo) and the stock socket.io-client.
const keys = ticketKeys('guard-spec-ticket-secret');

interface Bed {
  http: HttpServer;
  io: SpearServer;
  guard: HandshakeGuard;
  /** The proxies the guard trusts (spied on to count X-Forwarded-For walks). */
  trust: ProxyTrust;
  registry: Registry;
  url: string;
  /** What the connect hook was told the client's address is. */
  hookIps: string[];
}

const open: Array<{ close(): void }> = [];
let bed: Bed | undefined;

async function start(limits: Partial<PendingLimits> = {}, trusted: false | string[] = false): Promise<Bed> {
  const http = createServer();
  const io: SpearServer = new Server(http, { transports: ['websocket', 'polling'], allowRequest: (_req, callback) => callback(null, true) });
  const registry = new Registry();
  const trust = new ProxyTrust(trusted);
  const guard = guardHandshakes(io, { limits: { timeoutMs: 10_000, maxPending: 100, maxPendingPerIp: 100, ...limits }, trust, registry });
  const used = new Set<string>();
  const hookIps: string[] = [];
  io.use(
    ticketHandshake({
      keys,
      nodeId: 'n1',
      nonces: { consume: async (nonce) => !used.has(nonce) && !!used.add(nonce) },
      accepting: () => true,
      full: () => false,
      admit: async (info) => {
        hookIps.push(info.ip);
        return { allow: true, groups: [], meta: null };
      },
      guard,
    }),
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  bed = { http, io, guard, trust, registry, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, hookIps };
  return bed;
}

afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  if (!bed) return;
  bed.guard.stop();
  await new Promise((resolve) => bed!.io.close(resolve));
  bed = undefined;
});

/** A websocket that opens an engine.io session and never sends a ticket; resolves once open, or with the refusal. */
function silent(url: string, options: { from?: string; forwardedFor?: string } = {}): Promise<{ ws: WebSocket; closed: Promise<void> } | { refused: number; body: string }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
    ...(options.from ? { localAddress: options.from } : {}),
    ...(options.forwardedFor ? { headers: { 'x-forwarded-for': options.forwardedFor } } : {}),
  });
  open.push({ close: () => ws.terminate() });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, closed }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ refused: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

const metric = async (registry: Registry, line: RegExp) => Number(line.exec(await registry.metrics())?.[1] ?? NaN);

describe('handshake guard', () => {
  it('cuts a connection that shows no ticket within the timeout; it never counts as ticketed', async () => {
    const { url, guard, registry } = await start({ timeoutMs: 400 });
    const started = Date.now();
    const held = await Promise.all(Array.from({ length: 5 }, () => silent(url)));
    expect(guard.pending).toBe(5);
    expect(guard.ticketed).toBe(0);
    expect(await metric(registry, /^spear_handshakes_pending (\d+)/m)).toBe(5);
    await Promise.all(held.map((h) => ('ws' in h ? h.closed : undefined)));
    const took = Date.now() - started;
    // Cut after the timeout, within a sweep period (timeoutMs / 5 here) and the test's own latency.
    expect(took).toBeGreaterThanOrEqual(400);
    expect(took).toBeLessThan(400 + 80 + 500);
    expect(guard.pending).toBe(0);
    expect(await metric(registry, /^spear_handshake_refusals_total\{reason="timeout"\} (\d+)/m)).toBe(5);
  });

  it('caps pending connections per address: past it the transport is refused naming rate_limited; other addresses still get in', async () => {
    const { url, guard, registry } = await start({ maxPendingPerIp: 3 });
    for (let i = 0; i < 3; i++) expect(await silent(url)).toHaveProperty('ws');
    expect(await silent(url)).toEqual({ refused: 400, body: 'rate_limited' });
    expect(await silent(url, { from: '127.0.0.2' })).toHaveProperty('ws');
    expect(guard.pending).toBe(4);
    // Long-polling is refused the same way at its first request.
    const polling = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
    expect(polling.status).toBe(403);
    expect(await polling.json()).toEqual({ code: 4, message: 'rate_limited' });
    expect(await metric(registry, /^spear_handshake_refusals_total\{reason="pending_ip"\} (\d+)/m)).toBe(2);
  });

  it('caps pending connections per node, across addresses', async () => {
    const { url, registry } = await start({ maxPending: 4, maxPendingPerIp: 2 });
    for (const from of ['127.0.0.2', '127.0.0.2', '127.0.0.3', '127.0.0.3']) expect(await silent(url, { from })).toHaveProperty('ws');
    expect(await silent(url, { from: '127.0.0.4' })).toEqual({ refused: 400, body: 'rate_limited' });
    expect(await metric(registry, /^spear_handshake_refusals_total\{reason="pending_node"\} (\d+)/m)).toBe(1);
  });

  it('takes a connection out of the pending ones once it spends a valid ticket: it outlives the timeout and counts as ticketed', async () => {
    const { url, guard, registry } = await start({ timeoutMs: 300 });
    const client: ClientSocket = connectClient(url, { auth: { ticket: signTicket(keys, { uid: 'alice', nodeId: 'n1', expiresAt: Date.now() + 30_000 }) }, transports: ['websocket'], reconnection: false, forceNew: true });
    open.push(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('connect_error', reject);
    });
    expect(guard.pending).toBe(0);
    expect(guard.ticketed).toBe(1);
    // A refused ticket leaves its connection pending, and counted by its code.
    const forged = connectClient(url, { auth: { ticket: 'forged' }, transports: ['websocket'], reconnection: false, forceNew: true });
    open.push(forged);
    expect(await new Promise((resolve) => forged.once('connect_error', (e) => resolve(e.message)))).toBe('invalid_ticket');
    expect(guard.pending).toBe(1);
    expect(await metric(registry, /^spear_handshake_refusals_total\{reason="invalid_ticket"\} (\d+)/m)).toBe(1);
    await new Promise((r) => setTimeout(r, 700));
    expect(client.connected).toBe(true);
    expect(guard.pending).toBe(0);
    expect(guard.ticketed).toBe(1);
  });

  it('reads X-Forwarded-For only from a trusted proxy: a spoofed header from any other peer shares that peer\'s cap', async () => {
    const { url } = await start({ maxPendingPerIp: 2 }, ['10.0.0.0/8']);
    // 127.0.0.1 is not a trusted proxy here: three "different" clients are one address.
    expect(await silent(url, { forwardedFor: '198.51.100.1' })).toHaveProperty('ws');
    expect(await silent(url, { forwardedFor: '198.51.100.2' })).toHaveProperty('ws');
    expect(await silent(url, { forwardedFor: '198.51.100.3' })).toEqual({ refused: 400, body: 'rate_limited' });
  });

  it('behind a trusted proxy, counts each forwarded client on its own and gives the connect hook its address', async () => {
    const { url, hookIps } = await start({ maxPendingPerIp: 2 }, ['127.0.0.1']);
    for (const client of ['198.51.100.1', '198.51.100.1', '198.51.100.2', '198.51.100.2']) expect(await silent(url, { forwardedFor: `6.6.6.6, ${client}` })).toHaveProperty('ws');
    expect(await silent(url, { forwardedFor: '198.51.100.1' })).toEqual({ refused: 400, body: 'rate_limited' });
    const client = connectClient(url, { auth: { ticket: signTicket(keys, { uid: 'bob', nodeId: 'n1', expiresAt: Date.now() + 30_000 }) }, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { 'x-forwarded-for': '203.0.113.5' } });
    open.push(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('connect_error', reject);
    });
    expect(hookIps).toEqual(['203.0.113.5']);
  });

  it('walks a connection\'s X-Forwarded-For once: the pending cap, the pending entry and the connect hook share that answer', async () => {
    const { url, hookIps, trust, guard } = await start({ maxPendingPerIp: 1 }, ['127.0.0.1']);
    const walk = vi.spyOn(trust, 'clientAddress');
    const client = connectClient(url, { auth: { ticket: signTicket(keys, { uid: 'carol', nodeId: 'n1', expiresAt: Date.now() + 30_000 }) }, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { 'x-forwarded-for': '6.6.6.6, 203.0.113.8' } });
    open.push(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('connect_error', reject);
    });
    expect(hookIps).toEqual(['203.0.113.8']);
    expect(walk).toHaveBeenCalledTimes(1);
    expect(walk).toHaveReturnedWith('203.0.113.8');
    // The pending entry was counted under that same address: taken out at the ticket, its slot is free again.
    expect(guard.pending).toBe(0);
    expect(await silent(url, { forwardedFor: '203.0.113.8' })).toHaveProperty('ws');
    expect(await silent(url, { forwardedFor: '203.0.113.8' })).toEqual({ refused: 400, body: 'rate_limited' });
  });
});
