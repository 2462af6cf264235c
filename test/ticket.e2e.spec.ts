import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, freePort, issueToken as issueTokenAt, signJwt, startServiceProcess, untilWindowHasRoom, WORKSPACE_DIST, type ServiceProcess } from '@spear/testing';
import { ticketKeys, verifyTicket } from '@spear/tickets';
import { writeFileSync, mkdirSync } from 'node:fs';
import { startTestBed, type TestBed } from './support/engines-and-cluster';

const JWT_SECRET = 'e2e-jwt-secret-0123456789';
const json = { 'content-type': 'application/json' };
const jwt = (claims: object, secret = JWT_SECRET, alg = 'HS256') => signJwt(claims, secret, { alg, typ: 'JWT' });

describe('ticket: tokens, tickets, node choice (real Redis and ZooKeeper)', () => {
  let bed: TestBed;
  let second: ServiceProcess;
  let ticketSecret: string;
  const url = () => bed.cluster.ticketUrl;

  const issueToken = (uid: string, base = url(), ttlSeconds?: number) => issueTokenAt(base, uid, { ttlSeconds });
  const ticket = (body: unknown, base = url()) => fetch(`${base}/v1/tickets`, { method: 'POST', headers: json, body: JSON.stringify(body) });
  const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  beforeAll(async () => {
    bed = await startTestBed({
      apps: ['ticket', 'spear'],
      overrides: { secrets: { jwtSecret: JWT_SECRET }, zookeeper: { sessionTimeoutMs: 3000 }, ticket: { rateLimit: { perUid: { limit: 5, windowMs: 60_000 } } } },
    });
    const profile = JSON.parse(readFileSync(join(bed.profileDir, 'profile.json'), 'utf8'));
    ticketSecret = profile.secrets.ticketSecret;
    // A second ticket instance sharing Redis and ZooKeeper (stateless: any instance answers the same).
    const port = await freePort();
    profile.ticket.http.port = port;
    const dir = join(bed.dir, 'ticket-b');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'profile.json'), JSON.stringify(profile));
    second = await startServiceProcess({ app: 'ticket', name: 'ticket-b', baseUrl: `http://127.0.0.1:${port}`, distDir: WORKSPACE_DIST, profileDir: dir, logDir: join(bed.dir, 'logs') });
  });
  afterAll(async () => {
    await second?.stop();
    await bed?.close();
  });

  it('issues a signed ticket for the node the ring picks, verifiable by that node only', async () => {
    const token = await issueToken('alice');
    const res = await ticket({ uid: 'alice', token });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { uid: string; node: { id: string; url: string }; ticket: string; expiresAt: number };
    expect(body.uid).toBe('alice');
    expect(['spear-1', 'spear-2']).toContain(body.node.id);
    expect(body.node.url).toBe(bed.cluster.service(`spear-${body.node.id}`).baseUrl);
    expect(body.expiresAt - Date.now()).toBeGreaterThan(25_000);
    const keys = ticketKeys(ticketSecret);
    expect(verifyTicket(keys, body.ticket, body.node.id)).toMatchObject({ ok: true, claims: { uid: 'alice' } });
    const other = body.node.id === 'spear-1' ? 'spear-2' : 'spear-1';
    expect(verifyTicket(keys, body.ticket, other)).toMatchObject({ ok: false, code: 'wrong_node' });
  });

  it('maps a uid to the same node on every instance while membership holds', async () => {
    for (const uid of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) {
      const token = await issueToken(uid);
      const a = (await (await ticket({ uid, token })).json()) as { node: { id: string } };
      const b = (await (await ticket({ uid, token }, second.baseUrl)).json()) as { node: { id: string } };
      expect(b.node.id, uid).toBe(a.node.id);
    }
  });

  it('with avoid (a Spear extension), names where the uid would go without the nodes the client could not reach', async () => {
    // Per-uid limit is 5 per minute here: one uid per request.
    const nodeOf = async (uid: string, avoid?: unknown) => {
      const res = await ticket({ uid, token: await issueToken(uid), ...(avoid === undefined ? {} : { avoid }) });
      return res.status === 200 ? ((await res.json()) as { node: { id: string } }).node.id : `${res.status} ${await code(res)}`;
    };
    const own = await nodeOf('avoider-1');
    const other = own === 'spear-1' ? 'spear-2' : 'spear-1';
    expect(await nodeOf('avoider-1', [own])).toBe(other);
    expect(await nodeOf('avoider-1', [other])).toBe(own);
    expect(await nodeOf('avoider-1', ['spear-1', 'spear-2'])).toBe(own); // every node avoided: its own after all
    expect(await nodeOf('avoider-2', ['not a node id'])).toBe('400 bad_request');
    expect(await nodeOf('avoider-3', 'spear-1')).toBe('400 bad_request');
  });

  it('refuses unknown, mismatched, expired and malformed tokens with invalid_token, bad bodies with bad_request', async () => {
    const token = await issueToken('carol');
    expect(await code(await ticket({ uid: 'carol', token: 'no-such-token' }))).toBe('invalid_token');
    expect(await code(await ticket({ uid: 'dave', token }))).toBe('invalid_token');
    const short = await issueToken('erin', url(), 1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await code(await ticket({ uid: 'erin', token: short }))).toBe('invalid_token');
    for (const bad of [{}, { uid: 'carol' }, { token }, { uid: 'a b', token }, { uid: 'carol', token: '' }, 'nope']) {
      const res = await ticket(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(await code(res)).toBe('bad_request');
    }
  });

  it('a token revoked on one instance is refused by the other on the very next request', async () => {
    const token = await issueToken('frank');
    expect((await ticket({ uid: 'frank', token }, second.baseUrl)).status).toBe(200);
    expect((await fetch(`${url()}/v1/tokens/${token}`, { method: 'DELETE', headers: adminHeaders() })).status).toBe(204);
    const res = await ticket({ uid: 'frank', token }, second.baseUrl);
    expect(res.status).toBe(401);
    expect(await code(res)).toBe('invalid_token');
  });

  it('accepts HS256 JWTs for their sub; refuses expired, wrong secret, alg none and uid mismatch', async () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    expect((await ticket({ uid: 'gina', token: jwt({ sub: 'gina', exp }) })).status).toBe(200);
    for (const token of [jwt({ sub: 'gina', exp: exp - 120 }), jwt({ sub: 'gina', exp }, 'wrong-secret-0123456789'), jwt({ sub: 'gina', exp }, JWT_SECRET, 'none'), jwt({ sub: 'hank', exp })]) {
      expect(await code(await ticket({ uid: 'gina', token }))).toBe('invalid_token');
    }
  });

  it('rate-limits tickets per uid across instances with 429 rate_limited', async () => {
    await untilWindowHasRoom(60_000, 10_000);
    const token = await issueToken('ivan');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await ticket({ uid: 'ivan', token }, i % 2 ? second.baseUrl : url())).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });

  it('refuses a body over the limit with 413 too_large', async () => {
    const res = await fetch(`${url()}/v1/tickets`, { method: 'POST', headers: json, body: JSON.stringify({ uid: 'x', token: 'y'.repeat(300 * 1024) }) });
    expect(res.status).toBe(413);
    expect(await code(res)).toBe('too_large');
  });

  it('takes a killed node out of the ring within the session timeout + 2 s, and answers no_nodes when none is left', async () => {
    const token = await issueToken('judy');
    const nodesOf = async () => ((await (await fetch(`${url()}/v1/nodes`)).json()) as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id);
    expect(await nodesOf()).toEqual(['spear-1', 'spear-2']);
    await bed.cluster.service('spear-spear-1').kill();
    const killedAt = Date.now();
    while ((await nodesOf()).length !== 1 && Date.now() - killedAt < 3000 + 2000) await new Promise((r) => setTimeout(r, 100));
    expect(await nodesOf()).toEqual(['spear-2']);
    const body = (await (await ticket({ uid: 'judy', token })).json()) as { node: { id: string } };
    expect(body.node.id).toBe('spear-2');
    await bed.cluster.service('spear-spear-2').stop();
    await expect.poll(nodesOf, { timeout: 5000 }).toEqual([]);
    const res = await ticket({ uid: 'judy', token });
    expect(res.status).toBe(503);
    expect(await code(res)).toBe('no_nodes');
  });
});
