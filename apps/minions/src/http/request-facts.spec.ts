import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionCookie } from '../auth/session-cookie';
import { originRefusal } from './origin-check';
import { cameOverHttps, clientAddress, ownOrigin } from './request-facts';

// A real Fastify server started with trustProxy as libs/runtime's boot starts minions (the profile's list, or no
// option at all for `false`), asked over real connections from two loopback addresses (Linux routes all of 127/8
// to lo): 127.0.0.2 plays the listed proxy, 127.0.0.1 a client that reaches the dashboard directly.
const PROXY = '127.0.0.2';
const DIRECT = '127.0.0.1';

/** What minions decides from one request: the audited address, the cookie's Secure flag, the Origin check. */
interface Decisions {
  auditedIp: string;
  secureCookie: boolean;
  ownOrigin: string | null;
  originRefusal: string | null;
}

let server: FastifyInstance | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function dashboard(trustProxy: false | string[]): Promise<number> {
  server = Fastify(trustProxy ? { trustProxy } : {});
  server.post('/decide', async (request): Promise<Decisions> => {
    const own = ownOrigin(request);
    const origin = request.headers.origin;
    return {
      auditedIp: clientAddress(request),
      secureCookie: sessionCookie('id', 60, cameOverHttps(request)).includes('Secure'),
      ownOrigin: own ?? null,
      originRefusal: originRefusal({ method: request.method, ...(typeof origin === 'string' ? { origin } : {}) }, own)?.code ?? null,
    };
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  return (server.server.address() as AddressInfo).port;
}

/** A POST to /decide from `from`, with `headers`. */
function decide(port: number, from: string, headers: Record<string, string>): Promise<Decisions> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/decide', method: 'POST', localAddress: from, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as Decisions) : reject(new Error(`${res.statusCode}: ${body}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** What nginx in front of https://minions.example.com sends for a client at 203.0.113.9 (the client wrote the first XFF entry itself). */
const proxied = { 'x-forwarded-for': '6.6.6.6, 203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'minions.example.com', origin: 'https://minions.example.com' };

describe('request facts: X-Forwarded-* believed from a listed proxy only', () => {
  it('from a listed proxy: audits the client behind it, sets Secure, and checks Origin against the host the browser asked for', async () => {
    const port = await dashboard([PROXY]);
    expect(await decide(port, PROXY, proxied)).toEqual({ auditedIp: '203.0.113.9', secureCookie: true, ownOrigin: 'https://minions.example.com', originRefusal: null });
    // The proxy's values are the last ones: a client's own X-Forwarded-Proto/-Host before them is not what counts.
    expect(await decide(port, PROXY, { ...proxied, 'x-forwarded-proto': 'http, HTTPS', 'x-forwarded-host': 'evil.example, Minions.Example.com' })).toMatchObject({ secureCookie: true, ownOrigin: 'https://minions.example.com' });
  });

  it('from a peer that is not listed: the headers are ignored, the connection tells (a spoofing client gains nothing)', async () => {
    const port = await dashboard([PROXY]);
    const direct = await decide(port, DIRECT, proxied);
    expect(direct).toEqual({ auditedIp: DIRECT, secureCookie: false, ownOrigin: `http://127.0.0.1:${port}`, originRefusal: 'cross_origin' });
    // Its forged Origin matches the Host it really sent, not the forwarded one.
    expect(await decide(port, DIRECT, { ...proxied, origin: `http://127.0.0.1:${port}` })).toMatchObject({ originRefusal: null, secureCookie: false });
  });

  it('with trustProxy false (no Fastify option): every peer, the proxy included, is taken at its connection', async () => {
    const port = await dashboard(false);
    for (const from of [PROXY, DIRECT]) {
      expect(await decide(port, from, proxied)).toEqual({ auditedIp: from, secureCookie: false, ownOrigin: `http://127.0.0.1:${port}`, originRefusal: 'cross_origin' });
    }
  });

  it('audits an address, never a hop that is none: past a listed peer, the last proxy believed stands in', async () => {
    // 127.0.0.0/8 listed: the direct peer and its forwarded loopback hop are both proxies, so the walk reaches what the client wrote.
    const port = await dashboard(['127.0.0.0/8']);
    expect(await decide(port, PROXY, { 'x-forwarded-for': 'nonsense<script>, 127.0.0.9' })).toMatchObject({ auditedIp: '127.0.0.9' });
    expect(await decide(port, PROXY, { 'x-forwarded-for': '' })).toMatchObject({ auditedIp: PROXY });
    expect(await decide(port, PROXY, { 'x-forwarded-for': '198.51.100.4, 127.0.0.9' })).toMatchObject({ auditedIp: '198.51.100.4' });
  });
});
