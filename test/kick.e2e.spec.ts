import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@spear/client';
import { adminHeaders, issueToken, signJwt, until } from '@spear/testing';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { revokeToken, uidOn } from './support/sdk-helpers';
import { connectWithTicket } from './support/spear-client';
import type { Socket } from 'socket.io-client';

const JWT_SECRET = 'kick-e2e-jwt-secret-0123456789';
/** The bed's profile asks its JWTs for this issuer and audience, and at most an hour of life. */
const JWT_EXPECT = { issuer: 'auth.kick.test', audience: 'spear', maxLifetimeSeconds: 3600 };
const jwtFor = (claims: object) => signJwt({ iss: JWT_EXPECT.issuer, aud: JWT_EXPECT.audience, ...claims }, JWT_SECRET);

/** A raw socket.io connection of `uid` with `token`, recording its kicked events. */
async function open(bed: TestBed, uid: string, token: string): Promise<{ socket: Socket; kicked: string[] }> {
  const res = await fetch(`${bed.cluster.ticketUrl}/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid, token }) });
  if (res.status !== 200) throw new Error(`ticket for ${uid}: HTTP ${res.status}`);
  const { ticket, node } = (await res.json()) as { ticket: string; node: { url: string } };
  const socket = await connectWithTicket(node.url, ticket);
  const kicked: string[] = [];
  socket.on('kicked', (e: { reason: string }) => kicked.push(e.reason));
  return { socket, kicked };
}

const ticketStatus = async (bed: TestBed, uid: string, token: string) =>
  (await fetch(`${bed.cluster.ticketUrl}/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid, token }) })).status;

/** PROTOCOL.md v1.1: kick and revocation close live connections on every node within 1 s. */
describe('kick and revocation (two spear nodes)', () => {
  let bed: TestBed;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    bed = await startTestBed({ bus: 'redis', overrides: { secrets: { jwtSecret: JWT_SECRET }, ticket: { jwt: JWT_EXPECT } } });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await bed?.close();
  });

  it('POST /v1/users/{uid}/disconnect: kicked {reason} then closed, within 1 s, on whichever node; others stay', async () => {
    const uid = await uidOn(bed, 'spear-2', 'kick-me');
    const token = await issueToken(bed.cluster.ticketUrl, uid);
    const [a, b] = [await open(bed, uid, token), await open(bed, uid, token)];
    const other = await uidOn(bed, 'spear-2', 'stay');
    const bystander = await open(bed, other, await issueToken(bed.cluster.ticketUrl, other));
    sockets.push(a.socket, b.socket, bystander.socket);
    const began = Date.now();
    const res = await fetch(`${bed.cluster.ticketUrl}/v1/users/${uid}/disconnect`, { method: 'POST', headers: adminHeaders(), body: JSON.stringify({ reason: 'spam' }) });
    expect(res.status).toBe(204);
    await until(() => !a.socket.connected && !b.socket.connected, 1000);
    expect(Date.now() - began).toBeLessThan(1000);
    expect([a.kicked, b.kicked]).toEqual([['spam'], ['spam']]);
    expect(bystander.socket.connected).toBe(true);
    // The default reason; bad input is refused.
    const c = await open(bed, uid, token);
    sockets.push(c.socket);
    await fetch(`${bed.cluster.ticketUrl}/v1/users/${uid}/disconnect`, { method: 'POST', headers: adminHeaders(), body: '{}' });
    await until(() => c.kicked.length === 1, 1000);
    expect(c.kicked).toEqual(['kicked']);
    for (const [path, body] of [[`/v1/users/${uid}/disconnect`, { reason: 'x'.repeat(65) }], ['/v1/users/bad%20uid/disconnect', {}]] as const) {
      expect((await fetch(`${bed.cluster.ticketUrl}${path}`, { method: 'POST', headers: adminHeaders(), body: JSON.stringify(body) })).status).toBe(400);
    }
    expect((await fetch(`${bed.cluster.ticketUrl}/v1/users/${uid}/disconnect`, { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('DELETE /v1/tokens/{token} kicks ("revoked") the connections that token opened, not those of another token', async () => {
    const uid = await uidOn(bed, 'spear-1', 'two-tokens');
    const [first, second] = [await issueToken(bed.cluster.ticketUrl, uid), await issueToken(bed.cluster.ticketUrl, uid)];
    const [viaFirst, viaSecond] = [await open(bed, uid, first), await open(bed, uid, second)];
    sockets.push(viaFirst.socket, viaSecond.socket);
    await revokeToken(bed.cluster.ticketUrl, first);
    await until(() => !viaFirst.socket.connected, 1000);
    expect(viaFirst.kicked).toEqual(['revoked']);
    await new Promise((r) => setTimeout(r, 200));
    expect(viaSecond.socket.connected).toBe(true);
    expect(await ticketStatus(bed, uid, first)).toBe(401);
    expect(await ticketStatus(bed, uid, second)).toBe(200);
  });

  it('DELETE /v1/users/{uid}/tokens: every opaque token stops, older JWTs are refused, live connections are kicked', async () => {
    const uid = await uidOn(bed, 'spear-1', 'revoke-all');
    const opaque = await issueToken(bed.cluster.ticketUrl, uid);
    const now = Math.floor(Date.now() / 1000);
    const oldJwt = jwtFor({ sub: uid, iat: now - 60, exp: now + 3000 });
    const [a, b] = [await open(bed, uid, opaque), await open(bed, uid, oldJwt)];
    sockets.push(a.socket, b.socket);
    await new Promise((r) => setTimeout(r, 1100)); // a JWT's iat has second resolution: the revocation must come after it
    const res = await fetch(`${bed.cluster.ticketUrl}/v1/users/${uid}/tokens`, { method: 'DELETE', headers: adminHeaders() });
    expect(res.status).toBe(204);
    await until(() => !a.socket.connected && !b.socket.connected, 1000);
    expect([a.kicked, b.kicked]).toEqual([['revoked'], ['revoked']]);
    expect(await ticketStatus(bed, uid, opaque)).toBe(401);
    expect(await ticketStatus(bed, uid, oldJwt)).toBe(401);
    // A JWT issued now (the revocation's second, or later) works: iat has a second's resolution.
    const later = Math.floor(Date.now() / 1000);
    expect(await ticketStatus(bed, uid, jwtFor({ sub: uid, iat: later, exp: later + 3000 }))).toBe(200);
    expect(await ticketStatus(bed, uid, jwtFor({ sub: uid, exp: later + 3000 }))).toBe(401); // no iat: cannot be after
    expect(await ticketStatus(bed, uid, await issueToken(bed.cluster.ticketUrl, uid))).toBe(200);
  });

  it('the SDK reports kicked with its reason and does not reconnect', async () => {
    const uid = await uidOn(bed, 'spear-2', 'sdk-kicked');
    const client = await connect({ ticketUrl: bed.cluster.ticketUrl, uid, token: await issueToken(bed.cluster.ticketUrl, uid) });
    const seen: string[] = [];
    client.on('kicked', (e) => void seen.push(e.reason));
    client.on('reconnecting', () => void seen.push('reconnecting'));
    await fetch(`${bed.cluster.ticketUrl}/v1/users/${uid}/disconnect`, { method: 'POST', headers: adminHeaders(), body: JSON.stringify({ reason: 'banned' }) });
    await until(() => seen.length > 0, 1000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(seen).toEqual(['banned']);
    const presence = (await (await fetch(`${bed.cluster.ticketUrl}/v1/presence/${uid}`, { headers: adminHeaders() })).json()) as { online: boolean };
    expect(presence.online).toBe(false);
    await expect(client.send('someone', 1)).rejects.toMatchObject({ code: 'kicked' });
  });

  it('JWTs must carry the profile\'s iss and aud and live at most its maximum', async () => {
    const uid = 'jwt-checks';
    const now = Math.floor(Date.now() / 1000);
    expect(await ticketStatus(bed, uid, jwtFor({ sub: uid, iat: now, exp: now + 600 }))).toBe(200);
    expect(await ticketStatus(bed, uid, signJwt({ sub: uid, iat: now, exp: now + 600, aud: 'spear' }, JWT_SECRET))).toBe(401); // no iss
    expect(await ticketStatus(bed, uid, jwtFor({ sub: uid, iat: now, exp: now + 600, aud: ['x', 'y'] }))).toBe(401);
    expect(await ticketStatus(bed, uid, jwtFor({ sub: uid, iat: now, exp: now + 7200 }))).toBe(401); // two hours of life
  });

  it('refuses tokens for reserved uids (system, svc:*)', async () => {
    for (const uid of ['system', 'svc:billing']) {
      const res = await fetch(`${bed.cluster.ticketUrl}/v1/tokens`, { method: 'POST', headers: adminHeaders(), body: JSON.stringify({ uid }) });
      expect(res.status, uid).toBe(400);
    }
  });
});
