import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket as TcpSocket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTicket, ticketKeys, type TicketKeys } from '@spear/tickets';
import { pollUntil, rssBytes, sleep, until } from '@spear/testing';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { fuzzFrame, seededRandom } from './support/fuzz-frames';
import { rawConnect, rawHttp, rawTcp, type RawConnection } from './support/raw-socketio';
import { connectWithTicket } from './support/spear-client';

const FRAMES = 10_000;
const MAX_CONNECTIONS = 60;
const MAX_GROUPS_PER_CONNECTION = 50;
/** The node's event limit (spear.rateLimit below); the writers that fill histories keep to 3/4 of it. */
const EVENTS_PER_SECOND = 200;
const EVENT_BURST = 400;
/** A group history of HISTORY messages of BODY_BYTES each (4.7 MiB), replayed to READERS connections at once. */
const HISTORY = 300;
const BODY_BYTES = 16 * 1024;
const READERS = 20;
/**
 * A history of HOARD messages of HOARD_BYTES each (19 MiB: more than the kernel's socket buffers of a loopback
 * connection take, so the node itself has to hold back), replayed to STALLED connections that read nothing.
 */
const HOARD = 600;
const HOARD_BYTES = 32 * 1024;
const STALLED = 40;
/** What spear-1 may reach while the stalled joiners hold their slots (see the test). */
const STALLED_MEMORY_BOUND_BYTES = 1536 * 1024 * 1024;

/** A gauge of the node's, from its Prometheus metrics. */
async function gaugeOn(url: string, name: 'spear_connections' | 'spear_queued_frames'): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? NaN);
}
const REPLAYS_AT_ONCE = 16;
const SLOW_READER_MS = 1000;
/** What one spear node may use at most while under abuse (it idles at ~100-150 MiB). */
const MEMORY_BOUND_BYTES = 600 * 1024 * 1024;
const SEED = Number(process.env.SPEAR_FUZZ_SEED ?? Date.now() % 1_000_000);

describe('abuse: hostile clients against a spear node', () => {
  let bed: TestBed;
  let keys: TicketKeys;
  let spearUrl: string;
  let spearPid: number;
  let n = 0;
  const ticket = (uid = `abuser-${n++}`) => signTicket(keys, { uid, nodeId: 'spear-1', expiresAt: Date.now() + 30_000 });

  /** A well-behaved pair that must not notice anything: a message from one reaches the other. */
  async function bystandersStillTalk(): Promise<void> {
    const [a, b] = await Promise.all([connectWithTicket(spearUrl, ticket('calm-a')), connectWithTicket(spearUrl, ticket('calm-b'))]);
    try {
      const got = new Promise((resolve) => b.once('msg', resolve));
      const ack = (await a.timeout(10_000).emitWithAck('send', { to: 'calm-b', body: 'still fine' })) as { ok: boolean };
      expect(ack.ok).toBe(true);
      expect(await got).toMatchObject({ from: 'calm-a', body: 'still fine' });
    } finally {
      a.close();
      b.close();
    }
  }

  async function healthy(): Promise<void> {
    expect((await fetch(`${spearUrl}/healthz`)).status).toBe(200);
    expect(rssBytes(spearPid)).toBeLessThan(MEMORY_BOUND_BYTES);
  }

  beforeAll(async () => {
    bed = await startTestBed({
      apps: ['idgen', 'spear'],
      spearNodeIds: ['spear-1'],
      overrides: {
        spear: { maxConnections: MAX_CONNECTIONS, rateLimit: { eventsPerSecond: EVENTS_PER_SECOND, burst: EVENT_BURST, strikes: 20 } },
        groups: { maxPerConnection: MAX_GROUPS_PER_CONNECTION, replaysAtOnce: REPLAYS_AT_ONCE, slowReaderMs: SLOW_READER_MS },
        delivery: { groupHistory: { cap: HOARD, ttlSeconds: 600 } },
      },
    });
    keys = ticketKeys(JSON.parse(readFileSync(join(bed.profileDir, 'profile.json'), 'utf8')).secrets.ticketSecret);
    spearUrl = bed.cluster.service('spear-spear-1').baseUrl;
    spearPid = bed.cluster.service('spear-spear-1').pid;
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    await bed?.close();
  });

  it(`survives ${FRAMES.toLocaleString('en-US')} fuzzed frames: offenders are closed or refused, a connected bystander keeps working`, async () => {
    const random = seededRandom(SEED);
    const watcher = await connectWithTicket(spearUrl, ticket('watcher'));
    let watcherDropped = false;
    watcher.on('disconnect', () => (watcherDropped = true));
    let sent = 0;
    let closedByServer = 0;
    let errorAcks = 0;
    const lanes = 10;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        let conn: RawConnection | undefined;
        while (sent < FRAMES) {
          if (!conn || !conn.open) {
            if (conn) closedByServer++;
            conn = await rawConnect(spearUrl, ticket());
          }
          conn.ws.send(fuzzFrame(random));
          sent++;
          // Let the server answer before the next frame, a few at a time.
          if (sent % 20 === 0) await new Promise((r) => setTimeout(r, 5));
          errorAcks += conn.received.splice(0).filter((f) => /^43\d*\[\{"ok":false/.test(f)).length;
        }
        conn?.ws.terminate();
      }),
    );
    console.log(`fuzz seed ${SEED}: ${sent} frames, ${closedByServer} connections closed by the server, ${errorAcks} error acks`);
    expect(sent).toBeGreaterThanOrEqual(FRAMES);
    expect(closedByServer).toBeGreaterThan(100); // malformed packets end the connection
    expect(watcherDropped).toBe(false);
    await healthy();
    await bystandersStillTalk();
    watcher.close();
  });

  it('refuses an oversized frame by closing that connection only', async () => {
    const big = await rawConnect(spearUrl, ticket());
    const small = await rawConnect(spearUrl, ticket());
    big.ws.send(`42["send",{"to":"x","body":"${'x'.repeat(5 * 1024 * 1024)}"}]`);
    expect(await big.closed).toBeGreaterThan(0);
    expect(small.open).toBe(true);
    small.ws.close();
    await healthy();
  });

  it('refuses an oversized long-polling body with 413, declared or streamed, and stays within its memory bound', async () => {
    // A fresh engine.io session for each, so a refusal cannot come from a session the first one ended.
    const pollingPath = async () => {
      const handshake = await (await fetch(`${spearUrl}/socket.io/?EIO=4&transport=polling`)).text();
      return `/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent((JSON.parse(handshake.slice(1)) as { sid: string }).sid)}`;
    };
    const body = `4${'x'.repeat(8 * 1024 * 1024)}`;
    const post = async (framing: string, payload: string) => rawHttp(spearUrl, `POST ${await pollingPath()} HTTP/1.1\r\nHost: spear\r\nContent-Type: text/plain\r\n${framing}\r\n\r\n${payload}`, 3000);
    // Declared or not, engine.io counts the bytes as they arrive and answers 413 at its limit.
    expect(await post(`Content-Length: ${body.length}`, body)).toMatch(/^HTTP\/1\.1 413/);
    expect(await post('Transfer-Encoding: chunked', `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`)).toMatch(/^HTTP\/1\.1 413/);
    await healthy();
    await bystandersStillTalk();
  });

  it('answers an HTTP request with thousands of headers with 431, and stays up', async () => {
    const headers = Array.from({ length: 5000 }, (_, i) => `x-h${i}: ${'v'.repeat(20)}\r\n`).join('');
    const answer = await rawHttp(spearUrl, `GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: spear\r\n${headers}\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
    await healthy();
  });

  it('keeps serving while 300 slow handshakes and 300 idle half-open connections hang on it', async () => {
    const sockets: TcpSocket[] = [];
    try {
      for (let i = 0; i < 300; i++) {
        const slow = await rawTcp(spearUrl);
        slow.on('error', () => undefined);
        slow.write('GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: spear\r\nUpgrade: websocket\r\n'); // never finished
        sockets.push(slow);
        const idle = await rawTcp(spearUrl);
        idle.on('error', () => undefined);
        sockets.push(idle);
      }
      await healthy();
      await bystandersStillTalk();
    } finally {
      for (const s of sockets) s.destroy();
    }
  });

  it('queues a storm of 1,500 connects in the kernel while its event loop is stalled, instead of dropping them (listen backlog)', async () => {
    // A frozen process accepts nothing, so every connect that completes waits in its accept queue;
    // with Node's default backlog (511) the kernel would drop the rest, and they would retry after 1 s.
    const storm = 1500;
    const sockets: TcpSocket[] = [];
    let counted = true;
    process.kill(spearPid, 'SIGSTOP');
    try {
      const outcomes = await Promise.all(
        Array.from({ length: storm }, () =>
          Promise.race([
            rawTcp(spearUrl).then((s) => {
              s.on('error', () => undefined);
              if (counted) sockets.push(s);
              else s.destroy(); // connected only after the count: a retried SYN
              return true;
            }),
            new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 800)),
          ]).catch(() => false),
        ),
      );
      expect(outcomes.filter(Boolean).length).toBe(storm);
    } finally {
      counted = false;
      process.kill(spearPid, 'SIGCONT');
    }
    for (const s of sockets) s.destroy();
    await healthy();
    await bystandersStillTalk();
  });

  it('answers an event flood with rate_limited, then disconnects the flooder; others are untouched', async () => {
    const flooder = await connectWithTicket(spearUrl, ticket('flooder'));
    const calm = await connectWithTicket(spearUrl, ticket('calm-c'));
    let reason = '';
    flooder.on('disconnect', (r) => (reason = r));
    const acks = await Promise.all(Array.from({ length: 1000 }, () => flooder.timeout(5000).emitWithAck('leave', { group: 'g' }).catch(() => ({ ok: false, error: { code: 'no answer' } }))));
    const limited = acks.filter((a) => !a.ok && a.error.code === 'rate_limited').length;
    // The 21st strike (strikes: 20) disconnects; every refusal before it was answered rate_limited.
    expect(limited).toBeGreaterThanOrEqual(20);
    await until(() => reason !== '', 5000, 'the flooder being disconnected');
    expect(reason).toBe('io server disconnect');
    expect(calm.connected).toBe(true);
    calm.close();
    await healthy();
  });

  it(`enforces the node's connection limit (${MAX_CONNECTIONS}) and admits again once connections close`, async () => {
    const held: RawConnection[] = [];
    let refusal = '';
    for (let i = 0; i < MAX_CONNECTIONS + 5 && !refusal; i++) {
      try {
        held.push(await rawConnect(spearUrl, ticket()));
      } catch (error) {
        refusal = (error as Error).message;
      }
    }
    expect(refusal).toBe('draining'); // the protocol's code for "go elsewhere"
    expect(held.length).toBeLessThanOrEqual(MAX_CONNECTIONS);
    for (const c of held) c.ws.close();
    await Promise.all(held.map((c) => c.closed));
    // Admitted again once the server has seen them go (it counts engine.io clients).
    let admitted: RawConnection | undefined;
    for (const deadline = Date.now() + 5000; !admitted && Date.now() < deadline; ) admitted = await rawConnect(spearUrl, ticket()).catch(() => undefined);
    expect(admitted?.open).toBe(true);
    admitted?.ws.close();
    await bystandersStillTalk();
  });

  /** Publishes `count` messages of `bytes` to `group` (within the rate limit); their ids. */
  async function fill(group: string, count: number, bytes: number): Promise<string[]> {
    const publisher = await connectWithTicket(spearUrl, ticket(`writer-${group}`));
    const body = 'x'.repeat(bytes);
    const ids: string[] = [];
    try {
      const started = Date.now();
      for (let i = 0; i < count; i++) {
        // Past 3/4 of the burst, 3/4 of the rate: a fast machine answers a publish in under the 1/rate
        // the limit allows, and a rate_limited refusal here would fail the fill.
        const due = started + (Math.max(0, i - EVENT_BURST * 0.75) * 1000) / (EVENTS_PER_SECOND * 0.75);
        if (due > Date.now()) await sleep(due - Date.now());
        const ack = (await publisher.timeout(10_000).emitWithAck('publish', { group, body: `${i} ${body}` })) as { ok: boolean; id: string };
        expect(ack, `publish ${i} of ${count} to ${group}`).toMatchObject({ ok: true });
        ids.push(ack.id);
      }
    } finally {
      publisher.close();
    }
    return ids;
  }

  it(`replays a full group history to ${READERS} joins with since at once, in pages: every joiner gets all of it`, async () => {
    const replayed = await fill('replayed', HISTORY, BODY_BYTES);
    const joiners = await Promise.all(Array.from({ length: READERS }, (_, i) => connectWithTicket(spearUrl, ticket(`replayer-${i}`))));
    const received = joiners.map(() => 0);
    joiners.forEach((socket, i) => socket.on('group', () => void received[i]!++));
    try {
      const acks = await Promise.all(joiners.map((socket) => socket.timeout(60_000).emitWithAck('join', { group: 'replayed', since: replayed[0] })));
      expect(acks.every((a) => (a as { ok: boolean }).ok)).toBe(true);
      await until(() => received.every((n) => n === HISTORY - 1), 30_000, 'every joiner replaying the whole history');
    } finally {
      for (const socket of joiners) socket.close();
    }
    await healthy();
  });

  it(`holds a page or two per replay for ${STALLED} joins that read nothing, cuts them after slowReaderMs, and a reading joiner still gets everything`, async () => {
    const hoard = await fill('hoard', HOARD, HOARD_BYTES);
    const stalled = await Promise.all(Array.from({ length: STALLED }, (_, i) => rawConnect(spearUrl, ticket(`stalled-${i}`))));
    let peak = 0;
    let peakQueued = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(spearPid))), 50);
    const queueSampler = setInterval(() => void gaugeOn(spearUrl, 'spear_queued_frames').then((n) => (peakQueued = Math.max(peakQueued, n))), 200);
    const started = Date.now();
    try {
      for (const c of stalled) {
        c.ws.send(`421${JSON.stringify(['join', { group: 'hoard', since: hoard[0] }])}`);
        c.ws.pause(); // reads nothing more: the kernel's buffers fill, then the node's queue for it
      }
      const reader = await connectWithTicket(spearUrl, ticket('patient-reader'));
      let got = 0;
      reader.on('group', () => void got++);
      expect(await reader.timeout(60_000).emitWithAck('join', { group: 'hoard', since: hoard[0] })).toEqual({ ok: true });
      await until(() => got === HOARD - 1, 30_000, 'the reading joiner replaying the whole history');
      reader.close();
      // Each stalled joiner holds a replay slot for about slowReaderMs, then is cut: the node is left with no connection
      // (well before the heartbeat's 45 s would drop them; the margin is the CPU of sending each the pages its kernel took).
      const bound = SLOW_READER_MS * Math.ceil(STALLED / REPLAYS_AT_ONCE + 1) + 15_000;
      await pollUntil(() => gaugeOn(spearUrl, 'spear_connections'), (n) => n === 0, Math.max(1000, bound - (Date.now() - started)));
      console.log(`${STALLED} stalled joiners cut within ${Date.now() - started} ms; spear-1 peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB, at most ${peakQueued} frames queued`);
    } finally {
      clearInterval(sampler);
      clearInterval(queueSampler);
      for (const c of stalled) c.ws.terminate();
    }
    // A page queued per replay slot at most (an unpaced replay queues all a stalled joiner's kernel buffers refuse: 16,000 frames here).
    expect(peakQueued).toBeLessThanOrEqual(REPLAYS_AT_ONCE * 2 * 100);
    // A ceiling only: most of the peak is the allocator's high-water mark of pages that went to the kernel and were freed.
    expect(peak).toBeLessThan(STALLED_MEMORY_BOUND_BYTES);
    await bystandersStillTalk();
  });

  it(`caps the groups one connection may be in (${MAX_GROUPS_PER_CONNECTION}): forbidden past it, nothing else lost`, async () => {
    const joiner = await connectWithTicket(spearUrl, ticket('group-collector'));
    try {
      for (let i = 0; i < MAX_GROUPS_PER_CONNECTION; i++) expect(await joiner.timeout(10_000).emitWithAck('join', { group: `many-${i}` })).toEqual({ ok: true });
      const refused = (await joiner.timeout(10_000).emitWithAck('join', { group: 'one-too-many' })) as { ok: boolean; error: { code: string; message: string } };
      expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(refused.error.message).toContain(String(MAX_GROUPS_PER_CONNECTION));
      // Still in every group it joined: a publish to one of them reaches it.
      const got = new Promise((resolve) => joiner.once('group', resolve));
      expect(await joiner.timeout(10_000).emitWithAck('publish', { group: 'many-7', body: 'still here' })).toMatchObject({ ok: true });
      expect(await got).toMatchObject({ group: 'many-7', body: 'still here' });
    } finally {
      joiner.close();
    }
    await bystandersStillTalk();
  });
});
