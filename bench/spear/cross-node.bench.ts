/**
 * 1:1 messages across spear nodes, per bus:
 * `node --import tsx bench/spear/cross-node.bench.ts [--bus redis|kafka|both]`
 * (default both, ~2.5 min; needs the app bundles:
 * `NX_DAEMON=false npx nx run-many -t build --projects=tag:type:app`).
 *
 * For each bus: starts ZooKeeper and Redis (and Kafka for the Kafka bus) in a
 * temp dir, writes a throwaway profile with ticket's and spear's rate limits
 * raised out of the way, and launches idgen, ticket and two spear nodes from
 * the built bundles. Picks BENCH_PAIRS sender/receiver pairs by asking ticket
 * which node each candidate uid gets (a token and a ticket per uid), so that
 * every sender is on one node and its receiver on the other (half the pairs
 * spear-1 → spear-2, half the other way). The sockets live in BENCH_WORKERS
 * load-generator child processes (load-worker.ts), which hold both ends of
 * their pairs and so time send→receive on one clock; receivers ack what they
 * get, batched.
 *
 * Measures:
 *   0. idle: the CPU every process uses for 3 s with all sockets connected
 *      and no traffic;
 *   1. sequential: BENCH_SEQUENTIAL messages one at a time (each waits for
 *      its receipt and its send ack), rotating over the pairs: send→receive
 *      and send→ack p50/p99;
 *   2. throughput: a warm-up, then an open-loop ramp of offered rates
 *      (BENCH_RATES msgs/s, BENCH_STEP_SECONDS each, spread round robin over
 *      the senders), each followed by a drain. Per step: delivered msgs/s
 *      (received in the window after its first second, per second), p50/p99
 *      send→receive of the step's messages, refusals, and the CPU of every
 *      process (from /proc) as % of one CPU and as µs per message, plus how
 *      many CPUs the whole machine had busy and how much of that was other
 *      tenants'. The ramp stops after the first step that saturates
 *      (delivered < 90% of offered, p99 > 1 s, or messages left unsettled
 *      after the drain). The result is the highest offered rate delivered
 *      (≥ 95%) with p99 < 100 ms.
 *   3. loss check: every send the server acked must have been received (by
 *      id); also duplicates, misrouted messages, per-sender order. Exits
 *      non-zero on any loss, order violation or refusal.
 *
 * Environment: BENCH_PAIRS (200), BENCH_WORKERS (1), BENCH_SEQUENTIAL (1000),
 * BENCH_RATES (500,1000,1500,2000,2500,3000,4000,5000,6000,8000,12000,16000),
 * BENCH_STEP_SECONDS (5), BENCH_WARMUP_SECONDS (2), BENCH_DRAIN_MS (10000),
 * BENCH_CPU_PROF (a folder: V8 CPU profiles of both spear nodes during the
 * step at BENCH_CPU_PROF_RATE msgs/s, default 2000; see profilingDist).
 * Progress lines, a `RESULT ...` line per bus, a final JSON line.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  launchCluster,
  makeTempDir,
  removeTempDir,
  startKafka,
  startRedis,
  startZooKeeper,
  WORKSPACE_DIST,
  writeClusterProfile,
  type ClusterHandle,
  type KafkaHandle,
  type RedisHandle,
  type ZooKeeperHandle,
} from '@spear/testing';
import { bounded, checkInterrupted, cleanupOnce, fmtInt, fmtMachine, Interrupted, LatencyRecorder, log, machineBusyUs, machineFacts, ownCpu, procCpuUs, type LatencySummary } from '../rpc/measure';
import type { PairSpec, UserSpec, VerifyReport } from './load-protocol';
import { Worker } from './load-workers';
import { profilingDist } from './profiling-dist';
import { cpuShares, fmtCpu, fmtMs, mergeVerify, ms, summarizeStep, type Procs, type StepResult } from './step-summary';

type BusName = 'redis' | 'kafka';

const PAIRS = Number(process.env.BENCH_PAIRS ?? 200);
const WORKERS = Math.max(1, Number(process.env.BENCH_WORKERS ?? 1));
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 1000);
const RATES = (process.env.BENCH_RATES ?? '500,1000,1500,2000,2500,3000,4000,5000,6000,8000,12000,16000').split(',').map(Number);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const DRAIN_MS = Number(process.env.BENCH_DRAIN_MS ?? 10_000);
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const CPU_PROF_RATE = Number(process.env.BENCH_CPU_PROF_RATE ?? 2000);
const WARMUP_RATE = 500;
const IDLE_SECONDS = 3;
const P99_GOAL_MS = 100;
const NODES = ['spear-1', 'spear-2'] as const;

const OVERRIDES = {
  ticket: { rateLimit: { perUid: { limit: 1e6, windowMs: 60_000 }, perIp: { limit: 1e7, windowMs: 60_000 } } },
  spear: { rateLimit: { eventsPerSecond: 1e6, burst: 1e6, strikes: 1e6 } },
};

function parseBuses(argv: string[]): BusName[] {
  const i = argv.indexOf('--bus');
  const value = i >= 0 ? argv[i + 1] : (argv.find((a) => a.startsWith('--bus='))?.slice(6) ?? 'both');
  if (value === 'both') return ['redis', 'kafka'];
  if (value === 'redis' || value === 'kafka') return [value];
  throw new Error(`--bus must be redis, kafka or both (got ${String(value)})`);
}



// ---------------------------------------------------------------------------
// One bus

interface Running {
  dir: string;
  zk?: ZooKeeperHandle;
  redis?: RedisHandle;
  kafka?: KafkaHandle;
  cluster?: ClusterHandle;
  workers: Worker[];
}

/** Stops what `r` holds, children first; idempotent (fields are cleared as they stop). */
async function teardown(r: Running): Promise<void> {
  const workers = r.workers.splice(0);
  await Promise.all(workers.map((w) => bounded(w.stop(), 7000)));
  const cluster = r.cluster;
  r.cluster = undefined;
  await bounded(cluster?.stop(), 30_000);
  const engines = [r.kafka, r.redis, r.zk];
  r.kafka = r.redis = r.zk = undefined;
  await Promise.all(engines.map((e) => bounded(e?.stop(), 30_000)));
  removeTempDir(r.dir);
}

let current: Running | undefined;



interface BusResult {
  bus: BusName;
  startupSeconds: number;
  pairs: number;
  sockets: number;
  candidatesAsked: number;
  connectMs: number;
  idle: { seconds: number; cpu: Record<string, number> };
  sequential: { messages: number; timeouts: number; sendToReceive: LatencySummary; sendToAck: LatencySummary };
  steps: StepResult[];
  /** Highest offered rate delivered in full (≥ 95%) with p99 < 100 ms; null when none. */
  best: { offered: number; delivered: number; p50Ms: number; p99Ms: number } | null;
  peakDeliveredPerSecond: number;
  verify: VerifyReport;
  refused: number;
  loadavgEnd: number[];
}

/** Token for `uid` (admin), then a ticket: the node ticket picks for it. */
async function nodeOf(ticketUrl: string, adminKey: string, uid: string): Promise<UserSpec> {
  const tokenRes = await fetch(`${ticketUrl}/v1/tokens`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ uid, ttlSeconds: 3600 }) });
  if (tokenRes.status !== 201) throw new Error(`token for ${uid}: HTTP ${tokenRes.status} ${await tokenRes.text()}`);
  const { token } = (await tokenRes.json()) as { token: string };
  const res = await fetch(`${ticketUrl}/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid, token }) });
  if (res.status !== 200) throw new Error(`ticket for ${uid}: HTTP ${res.status} ${await res.text()}`);
  const { node } = (await res.json()) as { node: { id: string } };
  return { uid, token, node: node.id };
}

/** PAIRS senders and PAIRS receivers, each pair split across the two nodes (half one way, half the other). */
async function choosePairs(ticketUrl: string, adminKey: string, bus: BusName): Promise<{ pairs: PairSpec[]; asked: number }> {
  const perNode = PAIRS; // each node holds PAIRS/2 senders and PAIRS/2 receivers
  const on: Record<string, UserSpec[]> = { 'spear-1': [], 'spear-2': [] };
  let i = 0;
  const enough = () => NODES.every((n) => on[n]!.length >= perNode);
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (!enough()) {
        if (i > PAIRS * 10) throw new Error(`asked ticket about ${i} uids and still lack users on a node: ${NODES.map((n) => `${n} ${on[n]!.length}`).join(', ')}`);
        const user = await nodeOf(ticketUrl, adminKey, `${bus}-u${i++}`);
        const list = on[user.node];
        if (!list) throw new Error(`ticket named node ${user.node}`);
        if (list.length < perNode) list.push(user);
      }
    }),
  );
  const pairs: PairSpec[] = [];
  for (let p = 0; p < PAIRS; p++) {
    const [a, b] = p % 2 === 0 ? NODES : ([NODES[1], NODES[0]] as const);
    // Slot p of each node's list is used once: by pair p's sender on one node and its receiver on the other.
    pairs.push({ sender: on[a]![p]!, receiver: on[b]![p]! });
  }
  return { pairs, asked: i };
}


async function runBus(bus: BusName): Promise<BusResult> {
  const r: Running = { dir: makeTempDir(`spear-bench-cross-${bus}-`), workers: [] };
  current = r;
  try {
    const started = performance.now();
    log(`[${bus}] starting engines${bus === 'kafka' ? ' (Kafka too)' : ''}, idgen, ticket, spear-1, spear-2`);
    [r.zk, r.redis, r.kafka] = await Promise.all([
      startZooKeeper({ dir: join(r.dir, 'zookeeper') }),
      startRedis({ dir: join(r.dir, 'redis') }),
      bus === 'kafka' ? startKafka({ dir: join(r.dir, 'kafka') }) : undefined,
    ]);
    checkInterrupted();
    const profileDir = await writeClusterProfile({
      dir: r.dir,
      engines: { zookeeper: r.zk.connectString, redisUrl: r.redis.url, ...(r.kafka ? { kafkaBrokers: r.kafka.brokers } : {}) },
      bus,
      overrides: OVERRIDES,
    });
    const profile = JSON.parse(readFileSync(join(profileDir, 'profile.json'), 'utf8')) as { secrets: { adminKey: string }; bus: string };
    if (profile.bus !== bus) throw new Error(`profile bus is ${profile.bus}, wanted ${bus}`);
    const distDir = CPU_PROF ? profilingDist(r.dir, CPU_PROF) : WORKSPACE_DIST;
    r.cluster = await launchCluster({ profileDir, dir: r.dir, distDir, apps: ['idgen', 'ticket', 'spear'], env: CPU_PROF ? { BENCH_CPU_PROF_DIR: CPU_PROF, BENCH_CPU_PROF_TAG: bus } : undefined });
    checkInterrupted();
    // launchCluster resolved once ticket lists both nodes.
    const ticketUrl = r.cluster.ticketUrl;
    const startupSeconds = Math.round((performance.now() - started) / 100) / 10;
    const svc = (name: string) => r.cluster!.service(name).pid;
    log(
      `[${bus}] up in ${startupSeconds} s: spear-1 pid ${svc('spear-spear-1')}, spear-2 pid ${svc('spear-spear-2')}, idgen ${svc('idgen')}, ticket ${svc('ticket')}, ` +
        `redis ${r.redis.pid}${r.kafka ? `, kafka ${r.kafka.pid}` : ''}, zookeeper ${r.zk.pid}`,
    );

    const chooseStart = performance.now();
    const { pairs, asked } = await choosePairs(ticketUrl, profile.secrets.adminKey, bus);
    log(`[${bus}] ${PAIRS} pairs from ${asked} uids asked (${((performance.now() - chooseStart) / 1000).toFixed(1)} s); each sender on the other node than its receiver`);

    for (let w = 0; w < WORKERS; w++) r.workers.push(await Worker.start());
    const connectStart = performance.now();
    const shares = r.workers.map((_, w) => pairs.filter((_p, i) => i % WORKERS === w));
    const connected = await Promise.all(r.workers.map((w, i) => w.request({ type: 'connect', ticketUrl, pairs: shares[i]! }, 'connected')));
    const sockets = connected.reduce((a, c) => a + c.sockets, 0);
    const connectMs = Math.round(performance.now() - connectStart);
    log(`[${bus}] ${sockets} sockets connected in ${(connectMs / 1000).toFixed(1)} s by ${WORKERS} load worker${WORKERS > 1 ? 's' : ''} (pid ${r.workers.map((w) => w.pid).join(', ')})`);
    checkInterrupted();

    const pids: Procs = {
      'spear-1': svc('spear-spear-1'),
      'spear-2': svc('spear-spear-2'),
      redis: r.redis.pid,
      ...(r.kafka ? { kafka: r.kafka.pid } : {}),
      idgen: svc('idgen'),
      ticket: svc('ticket'),
      zookeeper: r.zk.pid,
      ...Object.fromEntries(r.workers.map((w, i) => [WORKERS > 1 ? `load-${i + 1}` : 'load', w.pid])),
    };
    const readCpu = (): Procs => ({ ...Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, procCpuUs(pid)])), coordinator: ownCpu(), machine: machineBusyUs() });

    // 0. What the connected sockets cost with no traffic (pings, timers, Kafka long polls).
    const idle0 = readCpu();
    const idleT0 = performance.now();
    await new Promise((res) => setTimeout(res, IDLE_SECONDS * 1000));
    const idle = { seconds: IDLE_SECONDS, cpu: cpuShares(idle0, readCpu(), performance.now() - idleT0) };
    log(`[${bus}] idle ${IDLE_SECONDS} s, all sockets connected: cpu ${fmtCpu(idle)}`);
    checkInterrupted();

    // 1. Sequential.
    const seq = await r.workers[0]!.request({ type: 'sequential', count: SEQUENTIAL }, 'sequential');
    const seqLatency = new LatencyRecorder();
    for (const v of seq.latency) seqLatency.add(v);
    const seqAck = new LatencyRecorder();
    for (const v of seq.ackLatency) seqAck.add(v);
    const sequential = { messages: SEQUENTIAL, timeouts: seq.timeouts, sendToReceive: seqLatency.summary(), sendToAck: seqAck.summary() };
    log(
      `[${bus}] sequential ${fmtInt(SEQUENTIAL)} messages: send→receive p50 ${fmtMs(sequential.sendToReceive.p50Us)}, p99 ${fmtMs(sequential.sendToReceive.p99Us)} ` +
        `(send→ack p50 ${fmtMs(sequential.sendToAck.p50Us)}, p99 ${fmtMs(sequential.sendToAck.p99Us)}); ${seq.timeouts} timeouts`,
    );

    // 2. Ramp.
    const runStep = async (k: number, offered: number, seconds: number): Promise<StepResult> => {
      checkInterrupted();
      const cpu0 = readCpu();
      const t0 = performance.now();
      // CPU is read when the window ends, not after the drain.
      const profiled = CPU_PROF !== undefined && k > 0 && offered === CPU_PROF_RATE;
      // Profiles cover the window only (the wrapper starts and stops V8's profiler on SIGUSR2).
      const spearPids = [pids['spear-1']!, pids['spear-2']!];
      if (profiled) for (const pid of spearPids) process.kill(pid, 'SIGUSR2');
      const cpuAtWindowEnd = new Promise<{ cpu: Procs; t: number }>((resolve) =>
        setTimeout(() => {
          const cpu = readCpu();
          if (profiled) for (const pid of spearPids) process.kill(pid, 'SIGUSR2');
          resolve({ cpu, t: performance.now() });
        }, seconds * 1000),
      );
      const reports = await Promise.all(r.workers.map((w) => w.request({ type: 'step', step: k, rate: offered / WORKERS, seconds, drainMs: DRAIN_MS }, 'step')));
      const end = await cpuAtWindowEnd;
      const cpu = cpuShares(cpu0, end.cpu, end.t - t0);
      return summarizeStep(offered, seconds, reports, cpu, end.t - t0);
    };
    const warm = await runStep(0, WARMUP_RATE, WARMUP_SECONDS);
    log(`[${bus}] warm-up ${WARMUP_RATE}/s for ${WARMUP_SECONDS} s: delivered ${fmtInt(warm.deliveredPerSecond)}/s, p99 ${fmtMs(warm.latency.p99Us)}`);
    const steps: StepResult[] = [];
    for (let i = 0; i < RATES.length; i++) {
      const s = await runStep(i + 1, RATES[i]!, STEP_SECONDS);
      steps.push(s);
      const refused = Object.entries(s.refused).map(([c, n]) => `${c} ${n}`).join(', ');
      log(
        `[${bus}] offered ${fmtInt(s.offered)}/s: delivered ${fmtInt(s.deliveredPerSecond)}/s, acked ${fmtInt(s.ackedPerSecond)}/s, send→receive p50 ${fmtMs(s.latency.p50Us)} p99 ${fmtMs(s.latency.p99Us)} max ${fmtMs(s.latency.maxUs)}, ` +
          `send→ack p99 ${fmtMs(s.ackLatency.p99Us)}; drain ${s.drainMs} ms${s.unsettled || s.undelivered ? `, ${s.unsettled} unsettled, ${s.undelivered} undelivered` : ''}` +
          `${refused ? `, refused: ${refused}` : ''}${s.maxLagMs > 50 ? `, generator lag ≤ ${s.maxLagMs} ms` : ''}; cpu ${fmtCpu(s)}; load ${machineFacts().loadavg.join(' ')}${s.saturated ? ' — saturated' : ''}`,
      );
      if (CPU_PROF && s.offered === CPU_PROF_RATE) {
        log(`[${bus}] cpu profiles of this step's window (profiling slows the nodes down): ${NODES.map((n) => join(CPU_PROF, `spear-${bus}-${n}.cpuprofile`)).join(', ')}`);
        log(`[${bus}]   summarize with: node --import tsx bench/ticket/cpu-profile.ts <file> 25`);
      }
      if (s.saturated) break;
    }

    // 3. Loss check.
    const verifies = await Promise.all(r.workers.map((w) => w.request({ type: 'verify', waitMs: 5000 }, 'verify')));
    const verify = mergeVerify(verifies);
    log(
      `[${bus}] check: ${fmtInt(verify.acked)} sends acked, ${fmtInt(verify.received)} received; lost ${verify.lost}, duplicates ${verify.duplicates}, misrouted ${verify.misrouted}, ` +
        `unacked but received ${verify.unknown}, order violations ${verify.orderViolations}, ack errors ${verify.ackErrors}, disconnects ${verify.disconnects}, migrates ${verify.migrates}` +
        (verify.lost ? `; lost e.g. ${verify.lostSample.join(', ')}` : ''),
    );

    const good = steps.filter((s) => !s.saturated && s.deliveredPerSecond >= 0.95 * s.offered && ms(s.latency.p99Us) < P99_GOAL_MS);
    const top = good.sort((a, b) => b.offered - a.offered)[0];
    const best = top ? { offered: top.offered, delivered: top.deliveredPerSecond, p50Ms: ms(top.latency.p50Us), p99Ms: ms(top.latency.p99Us) } : null;
    const refused = steps.reduce((a, s) => a + Object.values(s.refused).reduce((x, y) => x + y, 0), 0) + Object.values(warm.refused).reduce((x, y) => x + y, 0);
    const peak = Math.max(...steps.map((s) => s.deliveredPerSecond));
    const loadavgEnd = machineFacts().loadavg;
    log(
      `RESULT spear cross-node 1:1, ${bus} bus: sequential send→receive p50 ${fmtMs(sequential.sendToReceive.p50Us)}, p99 ${fmtMs(sequential.sendToReceive.p99Us)}; ` +
        `highest offered rate with p99 < ${P99_GOAL_MS} ms: ${best ? `${fmtInt(best.offered)} msgs/s (delivered ${fmtInt(best.delivered)}/s, p50 ${best.p50Ms} ms, p99 ${best.p99Ms} ms)` : 'none'}; ` +
        `peak delivered ${fmtInt(peak)}/s; lost ${verify.lost}, refused ${refused}, order violations ${verify.orderViolations}; load ${loadavgEnd.join(' ')}`,
    );
    return { bus, startupSeconds, pairs: PAIRS, sockets, candidatesAsked: asked, connectMs, idle, sequential, steps, best, peakDeliveredPerSecond: peak, verify, refused, loadavgEnd };
  } finally {
    log(`[${bus}] stopping load workers, cluster and engines`);
    await teardown(r);
    current = undefined;
  }
}


async function main(): Promise<void> {
  const buses = parseBuses(process.argv.slice(2));
  for (const app of ['idgen', 'ticket', 'spear']) {
    const bundle = join(WORKSPACE_DIST, app, 'main.js');
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`NX_DAEMON=false npx nx run-many -t build --projects=tag:type:app\` first`);
  }
  const machine = machineFacts();
  log(`spear cross-node bench: ${fmtMachine(machine)}`);
  log(`  spear bundle built ${statSync(join(WORKSPACE_DIST, 'spear', 'main.js')).mtime.toISOString()}`);
  log(
    `  buses ${buses.join(', ')}; ${PAIRS} pairs (${PAIRS * 2} sockets) in ${WORKERS} load worker process${WORKERS > 1 ? 'es' : ''}; ${fmtInt(SEQUENTIAL)} sequential messages; ` +
      `ramp ${RATES.map(fmtInt).join(', ')} msgs/s, ${STEP_SECONDS} s each after a ${WARMUP_SECONDS} s warm-up at ${WARMUP_RATE}/s; drain ≤ ${DRAIN_MS} ms`,
  );
  const cleanup = cleanupOnce(async () => {
    if (current) await teardown(current);
  });
  const results: BusResult[] = [];
  try {
    for (const bus of buses) results.push(await runBus(bus));
    const loadavgEnd = machineFacts().loadavg;
    log(
      JSON.stringify({
        bench: 'spear-cross-node',
        machine,
        loadavgEnd,
        settings: { buses, pairs: PAIRS, workers: WORKERS, sequential: SEQUENTIAL, rates: RATES, stepSeconds: STEP_SECONDS, warmupSeconds: WARMUP_SECONDS, warmupRate: WARMUP_RATE, drainMs: DRAIN_MS, p99GoalMs: P99_GOAL_MS, overrides: OVERRIDES },
        results,
      }),
    );
    const bad = results.filter((b) => b.verify.lost > 0 || b.verify.orderViolations > 0 || b.verify.misrouted > 0 || b.refused > 0 || b.sequential.timeouts > 0);
    process.exitCode = bad.length === 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  if (error instanceof Interrupted) return;
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
