/**
 * POST /v1/tickets under load, against a bare NestJS + fastify hello world:
 * `node --import tsx bench/ticket/tickets.bench.ts` (~55 s; needs the app
 * bundles: `NX_DAEMON=false npx nx run-many -t build --projects=tag:type:app`).
 *
 * 1. Ring lookup cost: `HashRing.get` over BENCH_LOOKUPS uids with the node
 *    set ticket sees (spear-1 and spear-2, weight 1), ns per lookup (wall
 *    clock and CPU time; `crypto.hash('md5', uid)` alone for scale).
 * 2. Starts ZooKeeper and Redis in a temp dir and, from the built bundles,
 *    idgen, two spear nodes and ticket (the ring needs live nodes), with
 *    ticket's rate limits raised out of the way; issues BENCH_USERS tokens
 *    (one per uid) through POST /v1/tokens (with autocannon); checks a sample of tickets (200,
 *    node = the local ring's answer, signature verifies).
 * 3. Forks hello-server.ts: the same HTTP stack (NestJS 11 on
 *    @nestjs/platform-fastify), one POST route returning a small JSON.
 * 4. Loads both with autocannon from this process: BENCH_CONNECTIONS
 *    keep-alive connections, no pipelining, BENCH_SECONDS per target in
 *    BENCH_SLICES slices, alternating (hello, ticket, ticket, hello, ...) so
 *    that a noisy neighbour hits both alike, after a BENCH_WARMUP s warm-up
 *    each. Every request carries the next {uid, token} pair (both targets get
 *    the same bodies). Latency is taken per response (hrtime, µs), not from
 *    autocannon's 1 ms histogram. Every ticket answer is checked: status 2xx
 *    and the node the local ring picks for its uid. CPU time of the ticket,
 *    Redis and hello processes and of this one (the load generator) is read
 *    around every slice, as µs per request.
 * Goal: ticket's tickets/s ≥ 0.5× hello world's req/s.
 *
 * Environment: BENCH_SECONDS (10), BENCH_SLICES (5), BENCH_WARMUP (2),
 * BENCH_CONNECTIONS (50), BENCH_USERS (10000), BENCH_LOOKUPS (1000000),
 * BENCH_CPU_PROF (a folder: run ticket and hello with --cpu-prof into it and
 * print their top costs during the measured slices at the end; see
 * cpu-profile.ts to dig further. Profiling slows both down.)
 * Progress lines, a `RESULT ...` line, a final JSON line.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HashRing, type RingMember } from '@spear/ring';
import {
  launchCluster,
  makeTempDir,
  removeTempDir,
  startRedis,
  startZooKeeper,
  waitUntilTicketSeesNodes,
  WORKSPACE_DIST,
  writeClusterProfile,
  type ClusterHandle,
  type RedisHandle,
  type ZooKeeperHandle,
} from '@spear/testing';
import { ticketKeys, verifyTicket } from '@spear/tickets';
import { bounded, cleanupOnce, fmtInt, fmtMachine, Interrupted, log, machineFacts, ratio } from '../rpc/measure';
import { formatSummary, summarizeCpuProfile, type ProfileSummary } from './cpu-profile';
import { addTally, autocannonRun, load, newTally, summarize, type Tally, type Target, type TargetName, type TargetResult } from './autocannon-load';
import { issueTokens } from './issue-tokens';
import { ringLookups } from './ring-lookups';
import { startHello, startTicket, type Proc } from './targets';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SLICES = Number(process.env.BENCH_SLICES ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 1_000_000);
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
/** autocannon ends a run on its 1 s sample tick, so slices are whole seconds. */
const SLICE_SECONDS = Math.max(1, Math.round(SECONDS / SLICES));
const GOAL = 0.5;

/** The node set of the cluster below, as ticket's NodeRing builds it from ZooKeeper. */
const NODES: RingMember[] = [
  { id: 'spear-1', weight: 1 },
  { id: 'spear-2', weight: 1 },
];
const uidOf = (i: number) => `user-${i}`;
const JSON_HEADERS = { 'content-type': 'application/json' };
/** Far above what one run sends, so that no request is refused (every bench request comes from 127.0.0.1). */
const NO_LIMIT = { limit: 1_000_000_000, windowMs: 60_000 };

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  for (const app of ['ticket', 'idgen', 'spear']) {
    const bundle = join(WORKSPACE_DIST, app, 'main.js');
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`NX_DAEMON=false npx nx run-many -t build --projects=tag:type:app\` first`);
  }
  const machine = machineFacts();
  log(`ticket bench: ${fmtMachine(machine)}`);
  log(`  ticket bundle built ${statSync(join(WORKSPACE_DIST, 'ticket', 'main.js')).mtime.toISOString()}`);
  log(
    `  ${CONNECTIONS} keep-alive connections, ${SLICES} slices of ${SLICE_SECONDS} s per target (warm-up ${WARMUP} s each), ${fmtInt(USERS)} uid/token pairs, ${fmtInt(LOOKUPS)} ring lookups` +
      (CPU_PROF ? `; cpu profiles into ${CPU_PROF}` : ''),
  );

  // 1. Ring lookups, before anything else runs.
  const ringResult = ringLookups(NODES, LOOKUPS, uidOf);
  log(
    `  ring: HashRing.get over ${fmtInt(LOOKUPS)} uids, 2 nodes x 160 points: ${ringResult.passes.join(' / ')} ns per lookup (median ${ringResult.nsPerLookup}; ` +
      `${ringResult.cpuNsPerLookup} ns of CPU time); crypto.hash('md5', uid) alone ${ringResult.cryptoMd5CpuNs} ns of CPU time; shares ${JSON.stringify(ringResult.shares)}`,
  );

  const dir = makeTempDir('spear-bench-ticket-');
  let zk: ZooKeeperHandle | undefined;
  let redis: RedisHandle | undefined;
  let cluster: ClusterHandle | undefined;
  let ticket: Proc | undefined;
  let hello: Proc | undefined;
  const cleanup = cleanupOnce(async () => {
    autocannonRun.instance?.stop();
    await Promise.all([hello?.stop(), ticket?.stop()]);
    await cluster?.stop();
    await Promise.all([redis?.stop(), zk?.stop()]);
    removeTempDir(dir);
  });
  const profiles: ProfileSummary[] = [];
  try {
    // 2. Engines, cluster, tokens.
    const started = performance.now();
    [zk, redis] = await Promise.all([startZooKeeper({ dir: join(dir, 'zookeeper') }), startRedis({ dir: join(dir, 'redis') })]);
    const profileDir = await writeClusterProfile({
      dir,
      engines: { zookeeper: zk.connectString, redisUrl: redis.url },
      overrides: { ticket: { rateLimit: { perUid: NO_LIMIT, perIp: NO_LIMIT } } },
    });
    const profile = JSON.parse(readFileSync(join(profileDir, 'profile.json'), 'utf8')) as {
      ticket: { http: { host: string; port: number } };
      secrets: { adminKey: string; ticketSecret: string };
    };
    cluster = await launchCluster({ profileDir, dir, apps: ['idgen', 'spear'] });
    if (CPU_PROF) mkdirSync(CPU_PROF, { recursive: true });
    const ticketUrl = `http://${profile.ticket.http.host}:${profile.ticket.http.port}`;
    ticket = await startTicket(profileDir, join(dir, 'logs'), ticketUrl, CPU_PROF);
    const ticketPid = ticket.pid;
    // Started apart from the cluster (to be profiled): wait, as launchCluster does, until it lists both nodes.
    await waitUntilTicketSeesNodes(ticketUrl, NODES.map((n) => n.id), 10_000);
    log(`  zookeeper ${zk.connectString}, redis ${redis.url} (pid ${redis.pid}), ticket pid ${ticketPid} (${ticketUrl}), ${cluster.services.map((s) => s.name).join(', ')}; up in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const tokensStarted = performance.now();
    const tokens = await issueTokens(ticketUrl, profile.secrets.adminKey, USERS, CONNECTIONS, uidOf);
    log(`  issued ${fmtInt(USERS)} tokens in ${((performance.now() - tokensStarted) / 1000).toFixed(1)} s`);
    const bodies = tokens.map((token, i) => JSON.stringify({ uid: uidOf(i), token }));

    // The answers to check: for pair i, the node the local ring picks.
    const ring = new HashRing(NODES);
    const expected = Array.from({ length: USERS }, (_, i) => `"node":{"id":"${ring.get(uidOf(i))!.id}"`);
    const keys = ticketKeys(profile.secrets.ticketSecret);
    for (let i = 0; i < Math.min(USERS, 200); i++) {
      const res = await fetch(`${ticketUrl}/v1/tickets`, { method: 'POST', headers: JSON_HEADERS, body: bodies[i] });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`sample ticket for ${uidOf(i)}: ${res.status} ${text}`);
      const body = JSON.parse(text) as { node: { id: string }; ticket: string };
      if (!text.includes(expected[i]!)) throw new Error(`sample ticket for ${uidOf(i)} names ${body.node.id}, the local ring says ${ring.get(uidOf(i))!.id}: ${text}`);
      const verified = verifyTicket(keys, body.ticket, body.node.id);
      if (!verified.ok) throw new Error(`sample ticket for ${uidOf(i)} does not verify: ${JSON.stringify(verified)}`);
    }
    log(`  200 sample tickets: status 200, node = local ring's choice, signature verifies`);

    // 3. The baseline.
    hello = await startHello(CPU_PROF);
    log(`  hello world pid ${hello.pid} (${hello.baseUrl})`);

    // 4. Load, alternating.
    const targets: Record<TargetName, Target> = {
      hello: { name: 'hello', url: hello.baseUrl, path: '/v1/hello', pid: hello.pid },
      ticket: { name: 'ticket', url: ticketUrl, path: '/v1/tickets', pid: ticketPid, check: (body, i) => body.includes(expected[i]!) },
    };
    for (const name of ['hello', 'ticket'] as const) {
      const w = await load(targets[name], bodies, WARMUP, redis.pid, CONNECTIONS);
      log(`  warm-up ${name}: ${fmtInt((w.ok / w.ms) * 1000)}/s, ${w.non2xx} non-2xx`);
    }
    const totals: Record<TargetName, Tally> = { hello: newTally(), ticket: newTally() };
    const slices: Record<TargetName, Tally[]> = { hello: [], ticket: [] };
    for (let s = 0; s < SLICES; s++) {
      const order: TargetName[] = s % 2 === 0 ? ['hello', 'ticket'] : ['ticket', 'hello'];
      const line: string[] = [];
      for (const name of order) {
        const slice = await load(targets[name], bodies, SLICE_SECONDS, redis.pid, CONNECTIONS);
        slices[name].push(slice);
        addTally(totals[name], slice);
        const l = slice.latency.summary();
        line.push(`${name} ${fmtInt((slice.ok / slice.ms) * 1000)}/s p50 ${(l.p50Us / 1000).toFixed(2)} ms p99 ${(l.p99Us / 1000).toFixed(2)} ms${slice.non2xx ? ` (${slice.non2xx} non-2xx)` : ''}`);
      }
      log(`  slice ${s + 1}/${SLICES}: ${line.join('; ')}; load ${machineFacts().loadavg.join(' ')}`);
    }
    const helloResult = summarize(totals.hello, slices.hello);
    const ticketResult = summarize(totals.ticket, slices.ticket);
    const throughputRatio = ratio(ticketResult.perSecond, helloResult.perSecond);
    // Throughput each would have with the same CPU: hello's server CPU per request over ticket's (ticket + its Redis work).
    const cpuRatio = ratio(helloResult.cpuUsPerRequest.server, ticketResult.cpuUsPerRequest.server);
    const cpuRatioWithRedis = ratio(helloResult.cpuUsPerRequest.server, ticketResult.cpuUsPerRequest.server + ticketResult.cpuUsPerRequest.redis);
    const load_ = machineFacts().loadavg;
    const fmt = (name: string, r: TargetResult, unit: string) =>
      `${name} ${fmtInt(r.perSecond)} ${unit}, p50 ${(r.latency.p50Us / 1000).toFixed(2)} ms, p99 ${(r.latency.p99Us / 1000).toFixed(2)} ms, ` +
      `${r.non2xx} non-2xx of ${fmtInt(r.responses)}, ${r.errors} errors; cpu/request ${r.cpuUsPerRequest.server} µs server` +
      (name === 'ticket' ? ` + ${r.cpuUsPerRequest.redis} µs redis` : '') +
      `, ${r.cpuUsPerRequest.generator} µs autocannon`;
    log(`  ${fmt('hello', helloResult, 'req/s')}`);
    log(`  ${fmt('ticket', ticketResult, 'tickets/s')}; ${ticketResult.wrongAnswers} answers naming another node than the local ring`);
    const met = throughputRatio >= GOAL;
    log(
      `RESULT ticket: ${fmtInt(ticketResult.perSecond)} tickets/s (p50 ${(ticketResult.latency.p50Us / 1000).toFixed(2)} ms, p99 ${(ticketResult.latency.p99Us / 1000).toFixed(2)} ms) ` +
        `vs hello world ${fmtInt(helloResult.perSecond)} req/s (p50 ${(helloResult.latency.p50Us / 1000).toFixed(2)} ms, p99 ${(helloResult.latency.p99Us / 1000).toFixed(2)} ms) = ${throughputRatio}x ` +
        `(goal ${GOAL}x: ${met ? 'met' : 'NOT met'}); by server CPU per request ${cpuRatio}x (${cpuRatioWithRedis}x counting Redis); ` +
        `ticket non-2xx ${ticketResult.non2xx}, wrong node ${ticketResult.wrongAnswers}; ring lookup ${ringResult.nsPerLookup} ns (${ringResult.cpuNsPerLookup} ns CPU); load ${load_.join(' ')}`,
    );

    // Stop the profiled processes so that they write their profiles.
    if (CPU_PROF) {
      const pids: Record<TargetName, number> = { ticket: ticketPid, hello: hello.pid };
      await Promise.all([hello.stop(), ticket.stop()]);
      for (const name of ['ticket', 'hello'] as const) {
        // Main thread only (hello's tsx loader thread writes a profile of its own).
        const file = readdirSync(CPU_PROF).find((f) => f.endsWith('.cpuprofile') && f.includes(`.${pids[name]}.0.`));
        if (!file) {
          log(`  no cpu profile for ${name} (pid ${pids[name]}) in ${CPU_PROF}`);
          continue;
        }
        writeFileSync(join(CPU_PROF, `${file}.windows.json`), JSON.stringify(totals[name].windows));
        const summary = summarizeCpuProfile(join(CPU_PROF, file), 15, totals[name].windows);
        profiles.push(summary);
        log(`  cpu profile of ${name}, measured slices only (${fmtInt(totals[name].responses)} requests; profiling slows it down):\n${formatSummary(summary)}`);
      }
    }

    log(
      JSON.stringify({
        bench: 'ticket-tickets',
        machine,
        loadavgEnd: load_,
        settings: { seconds: SLICES * SLICE_SECONDS, slices: SLICES, sliceSeconds: SLICE_SECONDS, warmupSeconds: WARMUP, connections: CONNECTIONS, pipelining: 1, users: USERS, lookups: LOOKUPS },
        ring: ringResult,
        hello: helloResult,
        ticket: ticketResult,
        ratio: { throughput: throughputRatio, serverCpu: cpuRatio, serverCpuWithRedis: cpuRatioWithRedis, goal: GOAL, met },
        ...(profiles.length ? { profiles: profiles.map((p) => ({ file: p.file, wallMs: p.wallMs, busyMs: p.busyMs, top: p.functions.slice(0, 10), packages: p.packagesSelf.slice(0, 10) })) } : {}),
      }),
    );
    process.exitCode = ticketResult.non2xx === 0 && ticketResult.errors === 0 && ticketResult.wrongAnswers === 0 ? 0 : 1;
  } finally {
    await bounded(cleanup(), 30_000);
  }
}

main().catch((error: unknown) => {
  if (error instanceof Interrupted) return;
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
