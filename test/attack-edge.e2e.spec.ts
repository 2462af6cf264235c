import { request, Agent } from 'node:http';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { issueToken, signJwt, sleep, untilWindowHasRoom } from '@spear/testing';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { connectUser, type TestUser } from './support/spear-client';

/**
 * Attacks on the edge (issue #19), against a real cluster (ticket, one spear
 * node, idgen). Every client is on this machine, so "addresses" are loopback
 * addresses (Linux routes all of 127/8 to lo): real users and the trusted
 * proxy are 127.0.0.1, attackers 127.0.0.2 and up. Both apps trust only
 * 127.0.0.1 as a proxy, so the same bed shows X-Forwarded-For honoured from
 * it and ignored from anyone else.
 */
const PROXY = '127.0.0.1';
const PER_UID = 30;
const PER_IP_FAILED = 50;
const JWT_SECRET = 'attack-edge-jwt-secret-0123456789';
const HANDSHAKE = { timeoutMs: 2000, maxPending: 600, maxPendingPerIp: 40 };
const MAX_CONNECTIONS = 150;
/** Ticket's rate-limit windows are fixed (they start at multiples of it): an hour (the profile's cap), and a test that counts starts with 2 minutes of room, so no boundary resets a count mid-test (a CI run saw one). */
const WINDOW_MS = 3_600_000;
const ROOM_MS = 120_000;
/** A counting test may first wait out ROOM_MS. */
const COUNTING_TEST_MS = ROOM_MS + 60_000;

/** One HTTP answer: status and the protocol error code, if any. */
interface Answer {
  status: number;
  code?: string;
}

const agents = new Map<string, Agent>();
/** POST `body` as JSON from the loopback address `from`, optionally claiming X-Forwarded-For. */
function postFrom(url: string, body: unknown, from: string, forwardedFor?: string): Promise<Answer & { json: unknown }> {
  const agent = agents.get(from) ?? agents.set(from, new Agent({ keepAlive: true, maxSockets: 8 })).get(from)!;
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, localAddress: from, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        const json = text ? (JSON.parse(text) as { error?: { code?: string } }) : {};
        resolve({ status: res.statusCode ?? 0, code: json.error?.code, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

type Silent = { opened: true; closed: Promise<number> } | { opened: false; status: number; body: string };
/** An engine.io websocket that never sends a ticket, from `from`; resolves once open (then `closed` with its lifetime, ms) or refused. */
function silentSocket(spearUrl: string, from: string, forwardedFor?: string): Promise<Silent> {
  const ws = new WebSocket(`${spearUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { localAddress: from, ...(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {}) });
  return new Promise((resolve) => {
    ws.once('open', () => {
      const openedAt = performance.now();
      resolve({ opened: true, closed: new Promise((done) => ws.once('close', () => done(performance.now() - openedAt))) });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ opened: false, status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => resolve({ opened: false, status: 0, body: 'error' }));
  });
}

/** A counter or gauge of spear-1's /metrics (summed over label sets matching `labels`). */
async function metricOf(baseUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) if (line.includes(labels)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN;
const ms = (v: number) => `${Math.round(v)} ms`;
const tally = (answers: Answer[]) => answers.reduce<Record<string, number>>((t, a) => ((t[`${a.status} ${a.code ?? ''}`.trim()] = (t[`${a.status} ${a.code ?? ''}`.trim()] ?? 0) + 1), t), {});

describe('attacks on the edge: ticket\'s token checks, X-Forwarded-For, un-ticketed handshakes', () => {
  let bed: TestBed;
  let ticketUrl: string;
  let spearUrl: string;

  beforeAll(async () => {
    bed = await startTestBed({
      apps: ['idgen', 'ticket', 'spear'],
      spearNodes: 1,
      overrides: {
        secrets: { jwtSecret: JWT_SECRET },
        ticket: {
          trustProxy: [PROXY],
          rateLimit: { perUid: { limit: PER_UID, windowMs: WINDOW_MS }, perIp: { limit: 100_000, windowMs: WINDOW_MS }, perIpFailed: { limit: PER_IP_FAILED, windowMs: WINDOW_MS } },
        },
        spear: { trustProxy: [PROXY], maxConnections: MAX_CONNECTIONS, handshake: HANDSHAKE },
      },
    });
    ticketUrl = bed.cluster.ticketUrl;
    spearUrl = bed.cluster.service('spear-spear-1').baseUrl;
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const agent of agents.values()) agent.destroy();
    await bed?.close();
  });

  it(`a uid cannot be locked out: 10x its limit of bogus ticket requests, from one address and through the proxy from many; its owner still gets a ticket and connects`, async () => {
    await untilWindowHasRoom(WINDOW_MS, ROOM_MS);
    const victim = 'victim-x';
    const token = await issueToken(ticketUrl, victim);
    const tickets = `${ticketUrl}/v1/tickets`;
    const bogus = (i: number) => (i % 3 === 0 ? signJwt({ sub: victim, exp: Math.floor(Date.now() / 1000) + 600 }, 'not-the-secret-0123456789abcdef') : randomBytes(32).toString('base64url'));
    const started = performance.now();
    // One attacker address (not a trusted proxy): 300 requests, 10x the uid's limit.
    const direct: Answer[] = [];
    for (let i = 0; i < 10 * PER_UID; i++) direct.push(await postFrom(tickets, { uid: victim, token: bogus(i) }, '127.0.0.2'));
    // Ten forwarded clients behind the trusted proxy, each under its own failed-check budget: 400 more, all checked.
    const forwarded: Answer[] = [];
    for (let client = 0; client < 10; client++) {
      for (let i = 0; i < PER_IP_FAILED - 10; i++) forwarded.push(await postFrom(tickets, { uid: victim, token: bogus(i) }, PROXY, `198.51.100.${client + 1}`));
    }
    const attackMs = performance.now() - started;
    // The owner, from its own address: a ticket, and a connection with it.
    const owner = await postFrom(tickets, { uid: victim, token }, PROXY, '203.0.113.77');
    // And the attacker's address stays refused, whatever token it brings (the owner's included).
    const attackerWithRealToken = await postFrom(tickets, { uid: victim, token }, '127.0.0.2');
    const limited = await metricOf(ticketUrl, 'spear_ticket_rate_limited_total', 'budget="ip_failed_checks"');
    console.log(
      `bogus-token lock-out: ${direct.length} bogus requests for one uid from one address in ${ms(attackMs)} (with ${forwarded.length} more through the proxy): ` +
        `direct ${JSON.stringify(tally(direct))}, forwarded ${JSON.stringify(tally(forwarded))}; owner afterwards: ${owner.status}; attacker address with the real token: ${attackerWithRealToken.status} ${attackerWithRealToken.code}; ` +
        `spear_ticket_rate_limited_total{budget="ip_failed_checks"} ${limited}`,
    );
    expect(tally(direct)).toEqual({ '401 invalid_token': PER_IP_FAILED, '429 rate_limited': 10 * PER_UID - PER_IP_FAILED });
    expect(tally(forwarded)).toEqual({ '401 invalid_token': 10 * (PER_IP_FAILED - 10) });
    expect(owner.status).toBe(200);
    expect(attackerWithRealToken).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(limited).toBe(10 * PER_UID - PER_IP_FAILED + 1);
    const user = await connectUser(ticketUrl, victim);
    expect(user.ready.uid).toBe(victim);
    user.close();
  }, COUNTING_TEST_MS);

  it('ticket reads X-Forwarded-For only from the trusted proxy: a spoofed header from any other peer is ignored', async () => {
    await untilWindowHasRoom(WINDOW_MS, ROOM_MS);
    const tickets = `${ticketUrl}/v1/tickets`;
    // From 127.0.0.3, every request claims another client; all are counted against 127.0.0.3.
    const spoofed: Answer[] = [];
    for (let i = 0; i < PER_IP_FAILED + 5; i++) spoofed.push(await postFrom(tickets, { uid: 'xff-user', token: 'bogus' }, '127.0.0.3', `192.0.2.${i + 1}`));
    // Through the proxy, the forwarded client is who is counted: one exhausts its budget, its neighbour does not.
    const exhausted: Answer[] = [];
    for (let i = 0; i < PER_IP_FAILED + 5; i++) exhausted.push(await postFrom(tickets, { uid: 'xff-user', token: 'bogus' }, PROXY, '6.6.6.6, 198.51.100.200'));
    const token = await issueToken(ticketUrl, 'xff-user');
    const neighbour = await postFrom(tickets, { uid: 'xff-user', token }, PROXY, '198.51.100.201');
    const exhaustedWithToken = await postFrom(tickets, { uid: 'xff-user', token }, PROXY, '198.51.100.200');
    // What the client put left of the proxy's own entry is not believed: the same exhausted client.
    const claimsOther = await postFrom(tickets, { uid: 'xff-user', token }, PROXY, '198.51.100.201, 198.51.100.200');
    console.log(`ticket X-Forwarded-For: untrusted peer with ${spoofed.length} spoofed addresses: ${JSON.stringify(tally(spoofed))}; one forwarded client: ${JSON.stringify(tally(exhausted))}; its neighbour ${neighbour.status}, itself with a good token ${exhaustedWithToken.status}, claiming another address first ${claimsOther.status}`);
    expect(tally(spoofed)).toEqual({ '401 invalid_token': PER_IP_FAILED, '429 rate_limited': 5 });
    expect(tally(exhausted)).toEqual({ '401 invalid_token': PER_IP_FAILED, '429 rate_limited': 5 });
    expect(neighbour.status).toBe(200);
    expect(exhaustedWithToken.status).toBe(429);
    expect(claimsOther.status).toBe(429);
  }, COUNTING_TEST_MS);

  it('spear reads X-Forwarded-For only from the trusted proxy: spoofed addresses share the peer\'s pending cap, forwarded clients get their own', async () => {
    const extra = 10;
    const spoofed = await Promise.all(Array.from({ length: HANDSHAKE.maxPendingPerIp + extra }, (_, i) => silentSocket(spearUrl, '127.0.0.4', `192.0.2.${i + 1}`)));
    const forwarded = await Promise.all(Array.from({ length: HANDSHAKE.maxPendingPerIp + extra }, (_, i) => silentSocket(spearUrl, PROXY, `198.51.100.${i + 1}`)));
    const oneClient = await Promise.all(Array.from({ length: HANDSHAKE.maxPendingPerIp + extra }, () => silentSocket(spearUrl, PROXY, '203.0.113.9')));
    const count = (all: Silent[]) => ({ opened: all.filter((s) => s.opened).length, refused: all.filter((s) => !s.opened && s.body === 'rate_limited').length });
    console.log(`spear X-Forwarded-For: untrusted peer ${JSON.stringify(count(spoofed))}, trusted proxy with distinct clients ${JSON.stringify(count(forwarded))}, trusted proxy with one client ${JSON.stringify(count(oneClient))}`);
    expect(count(spoofed)).toEqual({ opened: HANDSHAKE.maxPendingPerIp, refused: extra });
    expect(count(forwarded)).toEqual({ opened: HANDSHAKE.maxPendingPerIp + extra, refused: 0 });
    expect(count(oneClient)).toEqual({ opened: HANDSHAKE.maxPendingPerIp, refused: extra });
    // None shows a ticket: all are cut after the handshake timeout.
    const lifetimes = await Promise.all([...spoofed, ...forwarded, ...oneClient].flatMap((s) => (s.opened ? [s.closed] : [])));
    expect(Math.min(...lifetimes)).toBeGreaterThanOrEqual(HANDSHAKE.timeoutMs - 50);
    expect(Math.max(...lifetimes)).toBeLessThan(HANDSHAKE.timeoutMs + 1500);
  });

  it('un-ticketed flood: several hundred silent connections from ten addresses, while 100 real users connect and message each other', async () => {
    const ATTACKERS = 10;
    const LANES_PER_ATTACKER = 50; // more than the per-address cap: the excess is refused and retries
    const USERS = 100;
    const CONNECT_BOUND_MS = 5000;
    const MESSAGE_BOUND_MS = 2000;
    let stop = false;
    const flood = { attempts: 0, opened: 0, refused: 0, lifetimes: [] as number[] };
    const lane = async (from: string, delayMs: number) => {
      await sleep(delayMs);
      while (!stop) {
        flood.attempts++;
        const s = await silentSocket(spearUrl, from);
        if (s.opened) {
          flood.opened++;
          flood.lifetimes.push(await s.closed);
        } else {
          flood.refused++;
          await sleep(250);
        }
      }
    };
    // Lanes start spread over one timeout, so connections are opened and cut all the time, not in waves.
    const LANES = ATTACKERS * LANES_PER_ATTACKER;
    const lanes = Array.from({ length: LANES }, (_, i) => lane(`127.0.0.${10 + (i % ATTACKERS)}`, (i * HANDSHAKE.timeoutMs) / LANES));
    let peakPending = 0;
    /** The pending gauge while users connect. */
    const pendingSamples: number[] = [];
    let sampling = false;
    const sampler = setInterval(
      () =>
        void metricOf(spearUrl, 'spear_handshakes_pending').then((n) => {
          peakPending = Math.max(peakPending, n);
          if (sampling) pendingSamples.push(n);
        }),
      100,
    );
    const users: TestUser[] = [];
    try {
      // Let the flood reach its steady state: every address at its cap, the oldest being cut and replaced.
      await sleep(2 * HANDSHAKE.timeoutMs);
      sampling = true;
      const connectMs: number[] = [];
      const failures: string[] = [];
      const started = performance.now();
      for (let batch = 0; batch < USERS; batch += 10) {
        await Promise.all(
          Array.from({ length: 10 }, async (_, i) => {
            const t0 = performance.now();
            try {
              users.push(await connectUser(ticketUrl, `flood-user-${batch + i}`));
              connectMs.push(performance.now() - t0);
            } catch (error) {
              failures.push((error as Error).message);
            }
          }),
        );
      }
      const connectedIn = performance.now() - started;
      sampling = false;
      const meanPending = pendingSamples.reduce((a, b) => a + b, 0) / pendingSamples.length;
      console.log(
        `un-ticketed flood: ${ATTACKERS} attacker addresses x ${LANES_PER_ATTACKER} lanes; pending while users connected: min ${Math.min(...pendingSamples)}, mean ${Math.round(meanPending)}, max ${Math.max(...pendingSamples)} (caps: ${HANDSHAKE.maxPendingPerIp}/address, ${HANDSHAKE.maxPending}/node; maxConnections ${MAX_CONNECTIONS}); ` +
          `${users.length} of ${USERS} users connected in ${ms(connectedIn)} (ticket + handshake + ready: p50 ${ms(quantile(connectMs, 0.5))}, p95 ${ms(quantile(connectMs, 0.95))}, max ${ms(Math.max(...connectMs))}), ${failures.length} refused ${JSON.stringify([...new Set(failures)])}`,
      );
      expect(failures).toEqual([]);
      expect(users).toHaveLength(USERS);
      // The flood alone is more than maxConnections: with pending connections counted, no user would have got in.
      expect(meanPending).toBeGreaterThan(MAX_CONNECTIONS);
      expect(Math.max(...connectMs)).toBeLessThan(CONNECT_BOUND_MS);
      // Half the users send one message each to the other half; each must arrive.
      const byUid = new Map(users.map((u) => [u.uid, u]));
      const latencies = await Promise.all(
        Array.from({ length: USERS / 2 }, async (_, i) => {
          const from = byUid.get(`flood-user-${i}`)!;
          const to = byUid.get(`flood-user-${i + USERS / 2}`)!;
          const t0 = performance.now();
          const arrived = new Promise<void>((resolve) => to.socket.once('msg', () => resolve()));
          const ack = await from.emit('send', { to: to.uid, body: `hello ${i}` });
          expect(ack.ok).toBe(true);
          await arrived;
          return performance.now() - t0;
        }),
      );
      const pendingDuring = await metricOf(spearUrl, 'spear_handshakes_pending');
      const connections = await metricOf(spearUrl, 'spear_connections');
      console.log(
        `un-ticketed flood, during the exchange: ${pendingDuring} pending (peak so far ${peakPending}), ${connections} engine.io connections; ` +
          `${latencies.length} messages send-to-receive p50 ${ms(quantile(latencies, 0.5))}, max ${ms(Math.max(...latencies))}`,
      );
      expect(Math.max(...latencies)).toBeLessThan(MESSAGE_BOUND_MS);
    } finally {
      stop = true;
      clearInterval(sampler);
      for (const user of users) user.close();
    }
    await Promise.all(lanes);
    const refusals = {
      pending_ip: await metricOf(spearUrl, 'spear_handshake_refusals_total', 'reason="pending_ip"'),
      pending_node: await metricOf(spearUrl, 'spear_handshake_refusals_total', 'reason="pending_node"'),
      timeout: await metricOf(spearUrl, 'spear_handshake_refusals_total', 'reason="timeout"'),
    };
    console.log(
      `un-ticketed flood totals: ${flood.attempts} connection attempts, ${flood.opened} opened and cut after ${ms(quantile(flood.lifetimes, 0.5))} (p50), ${ms(Math.max(...flood.lifetimes))} (max), ${flood.refused} refused at the transport; spear metrics ${JSON.stringify(refusals)}; peak pending ${peakPending}`,
    );
    expect(flood.opened).toBeGreaterThan(HANDSHAKE.maxPendingPerIp * ATTACKERS);
    expect(flood.refused).toBeGreaterThan(0);
    expect(refusals.pending_node).toBe(0);
    expect(peakPending).toBeLessThanOrEqual(HANDSHAKE.maxPendingPerIp * ATTACKERS + 10);
    expect(Math.min(...flood.lifetimes)).toBeGreaterThanOrEqual(HANDSHAKE.timeoutMs - 50);
    expect(Math.max(...flood.lifetimes)).toBeLessThan(HANDSHAKE.timeoutMs + 1500);
    // Once the flood stops, nothing is left pending.
    await expect.poll(() => metricOf(spearUrl, 'spear_handshakes_pending'), { timeout: HANDSHAKE.timeoutMs + 2000 }).toBe(0);
  });

  it(`holds the node's pending cap (${HANDSHAKE.maxPending}) when more addresses than it fits flood at once`, async () => {
    const addresses = 20; // 20 x 40 > 600
    const attempts = await Promise.all(Array.from({ length: addresses * HANDSHAKE.maxPendingPerIp }, (_, i) => silentSocket(spearUrl, `127.0.1.${1 + (i % addresses)}`)));
    const pending = await metricOf(spearUrl, 'spear_handshakes_pending');
    const opened = attempts.filter((s) => s.opened).length;
    const refusedNode = attempts.filter((s) => !s.opened && s.body === 'rate_limited').length;
    console.log(`node pending cap: ${attempts.length} silent connections from ${addresses} addresses: ${opened} pending (gauge ${pending}), ${refusedNode} refused rate_limited`);
    expect(opened).toBe(HANDSHAKE.maxPending);
    expect(pending).toBe(HANDSHAKE.maxPending);
    expect(refusedNode).toBe(attempts.length - HANDSHAKE.maxPending);
    expect(await metricOf(spearUrl, 'spear_handshake_refusals_total', 'reason="pending_node"')).toBe(refusedNode);
    await Promise.all(attempts.flatMap((s) => (s.opened ? [s.closed] : [])));
  });
});
