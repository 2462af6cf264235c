import { fork, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpearError, type SpearClient } from '@spear/client';
import { freePort } from '@spear/testing';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { sdkUser, uidOn } from './support/sdk-helpers';
import { connectUser, type TestUser } from './support/spear-client';

const HOOK_SECRET = 'e2e-route-secret-0123456789';
const SHOP_TIMEOUT_MS = 500;

/** Starts test/support/rpc-app-backend.ts as its own process (a SIGKILL is a real crash); resolves once it is registered. */
function startBackend(profileDir: string, name: string): Promise<ChildProcess> {
  const child = fork(join(__dirname, 'support', 'rpc-app-backend.ts'), [profileDir, name], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`backend ${name} exited (${code})`)));
  });
}

/** What a client's rpc() rejected with: its code. */
const codeOf = (call: Promise<unknown>) => call.then(() => 'ok', (e: unknown) => (e instanceof SpearError ? e.code : String(e)));

/** PROTOCOL.md v1.1 `rpc`: routed by method to a Spear RPC service (two providers on libs/backend) or a signed HTTP backend, every error code as the protocol says. */
describe('rpc routes through the gateway (two spear nodes, two backend providers)', () => {
  let bed: TestBed;
  let http: Server;
  let httpUrl: string;
  const backends: ChildProcess[] = [];
  const clients: SpearClient[] = [];
  const raw: TestUser[] = [];
  const client = async (node: string, prefix: string) => {
    const { client: c } = await sdkUser(bed, await uidOn(bed, node, prefix));
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const port = await freePort();
    httpUrl = `http://127.0.0.1:${port}/rpc`;
    http = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const signed = createHmac('sha256', HOOK_SECRET).update(body).digest('hex') === req.headers['x-spear-signature'];
        const call = JSON.parse(body.toString()) as { method: string; data: unknown; uid: string; node: string; sessionId: string };
        res.end(JSON.stringify(signed ? { data: { echo: call.data, method: call.method, uid: call.uid, node: call.node, hasSession: call.sessionId.length > 0 } } : { error: { code: 'bad_signature', message: 'no' } }));
      });
    });
    await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
    bed = await startTestBed({
      bus: 'redis',
      overrides: {
        secrets: { hookSecret: HOOK_SECRET },
        rpc: { services: { shop: { loadbalance: 'roundrobin', cluster: 'failover' }, cart: { loadbalance: 'consistenthash' } } },
        spear: {
          routes: [
            { match: 'shop.', backend: { service: 'shop', method: 'rpc' }, timeoutMs: SHOP_TIMEOUT_MS, retrySafe: true },
            { match: 'shop.nohandler', backend: { service: 'shop', method: 'missing' }, timeoutMs: SHOP_TIMEOUT_MS },
            { match: 'cart.', backend: { service: 'cart', method: 'rpc' }, timeoutMs: 2000 },
            { match: 'ghost.', backend: { service: 'ghost', method: 'call' }, timeoutMs: 3000 },
            { match: 'web.', backend: { url: httpUrl }, timeoutMs: 2000 },
          ],
        },
      },
    });
    backends.push(...(await Promise.all([startBackend(bed.profileDir, 'backend-a'), startBackend(bed.profileDir, 'backend-b')])));
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const u of raw) u.close();
    for (const b of backends) b.kill('SIGKILL');
    http?.closeAllConnections();
    http?.close();
    await bed?.close();
  });

  it('answers with what the backend answered; round robin spreads calls over both providers', async () => {
    const c = await client('spear-1', 'rpc-echo');
    const providers = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const answer = await c.rpc<{ echo: unknown; provider: string; uid: string }>('shop.echo', { n: i });
      expect(answer).toMatchObject({ echo: { n: i }, uid: c.session!.uid });
      providers.add(answer.provider);
    }
    expect([...providers].sort()).toEqual(['backend-a', 'backend-b']);
  });

  it('hashes by uid where the service asks for it: one uid always reaches the same provider', async () => {
    const seen = new Map<string, Set<string>>();
    for (let i = 0; i < 12; i++) {
      const c = await client(i % 2 ? 'spear-1' : 'spear-2', `rpc-cart-${i}`);
      for (let j = 0; j < 3; j++) {
        const { provider } = await c.rpc<{ provider: string }>('cart.view');
        seen.set(c.session!.uid, (seen.get(c.session!.uid) ?? new Set()).add(provider));
      }
    }
    expect([...seen.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set([...seen.values()].flatMap((s) => [...s])).size).toBe(2);
  });

  it('refuses with the protocol\'s codes, and passes the backend\'s own codes through', async () => {
    const c = await client('spear-2', 'rpc-errors');
    expect(await codeOf(c.rpc('nowhere.x'))).toBe('not_found'); // no route
    expect(await codeOf(c.rpc('shop.nohandler'))).toBe('not_found'); // the backend has no such method
    expect(await codeOf(c.rpc('shop.fail'))).toBe('out_of_stock'); // thrown by the handler
    expect(await codeOf(c.rpc('shop.refuse'))).toBe('insufficient_funds'); // answered {error}
    expect(await codeOf(c.rpc('shop.crash'))).toBe('internal');
    expect(await codeOf(c.rpc('shop.echo', 'x'.repeat(70_000)))).toBe('too_large');
    let started = Date.now();
    expect(await codeOf(c.rpc('shop.slow'))).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(SHOP_TIMEOUT_MS + 500);
    started = Date.now();
    expect(await codeOf(c.rpc('ghost.x'))).toBe('unavailable'); // no provider registered
    expect(Date.now() - started).toBeLessThan(3000);
    // Malformed calls, straight over socket.io.
    const u = await connectUser(bed.cluster.ticketUrl, 'rpc-raw');
    raw.push(u);
    for (const payload of [{ method: 'bad method!' }, { method: '' }, {}, { method: 'x'.repeat(129) }, 'shop.echo']) {
      expect(await u.emit('rpc', payload), JSON.stringify(payload)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    expect(await u.emit('rpc', { method: 'shop.echo', data: [1] })).toMatchObject({ ok: true, data: { echo: [1] } });
  });

  it('calls an HTTP backend with a signed JSON POST carrying uid, node and session', async () => {
    const c = await client('spear-1', 'rpc-web');
    expect(await c.rpc('web.search', { q: 'spear' })).toEqual({ echo: { q: 'spear' }, method: 'web.search', uid: c.session!.uid, node: 'spear-1', hasSession: true });
  });

  it('minions shows each route with its calls/s, error rate and p99, over both nodes, whatever the backend (RPC or HTTP)', async () => {
    const login = await fetch(`${bed.cluster.minionsUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: bed.cluster.minionsUrl }, body: JSON.stringify({ name: 'admin', password: 'minions' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    type Figures = { kind: string; name: string; calls: number; callsPerSec: number | null; errorRate: number | null; p99Ms: number | null };
    const read = async () => (await (await fetch(`${bed.cluster.minionsUrl}/api/backends`, { headers: { cookie } })).json()) as { nodes: number; answered: number; figures: Figures[] };
    await read(); // the baseline the next read compares with
    const [a, b] = [await client('spear-1', 'rpc-mon-a'), await client('spear-2', 'rpc-mon-b')];
    for (let i = 0; i < 10; i++) await Promise.all([a.rpc('shop.echo', i), b.rpc('web.x', i), codeOf(b.rpc('shop.fail'))]);
    const view = await read();
    expect(view).toMatchObject({ nodes: 2, answered: 2 });
    const shop = view.figures.find((f) => f.kind === 'route' && f.name === 'shop.')!;
    expect(shop.callsPerSec).toBeGreaterThan(0);
    expect(shop.errorRate).toBeCloseTo(0.5, 1); // 10 echo ok, 10 fail with the backend's code
    expect(shop.p99Ms).toBeGreaterThan(0);
    expect(view.figures.find((f) => f.kind === 'route' && f.name === 'web.')).toMatchObject({ errorRate: 0 });
  });

  it('keeps answering when a provider is SIGKILLed mid-stream: calls fail over to the other (the route says retry is safe)', async () => {
    const c = await client('spear-2', 'rpc-kill');
    const outcomes: string[] = [];
    let stop = false;
    const loop = (async () => {
      // ~100 calls/s: under the connection's event budget (200/s).
      while (!stop) {
        outcomes.push(await codeOf(c.rpc('shop.echo', 1)));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    backends[0]!.kill('SIGKILL');
    const killedAt = outcomes.length;
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await loop;
    const after = outcomes.slice(killedAt);
    console.log(`${after.length} calls after the SIGKILL: ${after.filter((o) => o === 'ok').length} ok`);
    expect(after.length).toBeGreaterThan(20);
    expect(after.filter((o) => o !== 'ok')).toEqual([]);
  });
});
