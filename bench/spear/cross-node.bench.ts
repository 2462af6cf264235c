/**
 * Spear alone, per bus: 1:1 messages with every pair across the two spear
 * nodes, through the whole path (sender → node A: validate, id, inbox write,
 * route lookup, bus → node B → receiver, and the receiver's ack back into the
 * inbox). It uses the shared clients and phases of `npm run bench`
 * (bench/clients, bench/compare/phase.ts: connect storm, warm-up, loss check)
 * and measures what that comparison does not:
 *   - idle: the CPU of every process for 3 s with every socket connected and no traffic;
 *   - sequential: BENCH_SEQUENTIAL messages one at a time, rotating over the
 *     pairs, each waiting for its answer and its receipt (5 s at most):
 *     send→receive and send→answer p50/p99/p999;
 *   - a ramp on either bus (the comparison runs the Kafka bus at one rate),
 *     every pair across nodes (the comparison crosses half of them), with the
 *     CPU µs per delivered message of every process.
 * The ramp's steps are open-loop, BENCH_RATES msgs/s, until one saturates
 * (bench/compare/scenarios.ts); the result is the highest delivered rate with
 * p99 < 100 ms.
 *
 *   npx nx run-many -t build --projects=tag:type:app      # first: it runs the bundles in dist/apps as they are
 *   node --import tsx bench/spear/cross-node.bench.ts [--bus redis|kafka|both] [--quick]
 *
 * Settings: those of `npm run bench` (bench/compare/settings.ts) with this
 * bench's defaults: BENCH_USERS (400), BENCH_WORKERS (1), BENCH_RATES
 * (500,1000,1500,2000,2500,3000,4000,5000,6000,8000,12000,16000),
 * BENCH_STEP_SECONDS (5), BENCH_WARMUP_SECONDS (2, at BENCH_BUS_RATE: 500),
 * BENCH_DRAIN_MS (10000); BENCH_SEQUENTIAL (1000). `--quick`: the settings of
 * `npm run bench:quick` and 100 sequential messages. BENCH_CPU_PROF (a folder):
 * V8 profiles of both spear nodes during the step at BENCH_CPU_PROF_RATE msgs/s
 * (2000), its drain included (bench/support/profiling-dist.ts).
 * Progress lines and a RESULT line per bus; every figure goes to
 * .run/bench/cross-node-<start time>.json. Exits non-zero on a failed
 * connection, a lost, duplicated, misrouted or out-of-order message, a refused
 * send or a sequential timeout (in quick mode also on anything undelivered).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeTempDir, removeTempDir, startKafka, startRedis, startZooKeeper, type KafkaHandle, type RedisHandle, type ZooKeeperHandle } from '@spear/testing';
import type { SequentialResult } from '../clients/client-fleet';
import { fmtLatencyMs } from '../clients/histogram';
import { runPhase } from '../compare/phase';
import type { SystemResult } from '../compare/report';
import { fmtCpu, P99_BOUND_MS, ramp, withCpu, type MeasuredStep } from '../compare/scenarios';
import { compareSettings } from '../compare/settings';
import { startSpear, type Engines } from '../compare/systems';
import { cleanupOnce, fmtInt, fmtMachine, log, machineFacts } from '../rpc/measure';
import { appendBrokerPauses } from '../support/jvm-pauses';
import { toggleProfiler } from '../support/profiling-dist';
import { writeRunResult } from '../support/run-results';

type Bus = 'redis' | 'kafka';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const FULL_DEFAULTS = {
  BENCH_USERS: '400',
  BENCH_WORKERS: '1',
  BENCH_RATES: '500,1000,1500,2000,2500,3000,4000,5000,6000,8000,12000,16000',
  BENCH_STEP_SECONDS: '5',
  BENCH_WARMUP_SECONDS: '2',
  BENCH_BUS_RATE: '500',
  BENCH_DRAIN_MS: '10000',
};
const s = compareSettings(QUICK ? ['--quick'] : [], QUICK ? process.env : { ...FULL_DEFAULTS, ...process.env });
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? (QUICK ? 100 : 1000));
const SEQUENTIAL_TIMEOUT_MS = 5000;
const IDLE_SECONDS = 3;
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const CPU_PROF_RATE = Number(process.env.BENCH_CPU_PROF_RATE ?? 2000);

function parseBuses(args: string[]): Bus[] {
  const i = args.indexOf('--bus');
  const value = i >= 0 ? args[i + 1] : (args.find((a) => a.startsWith('--bus='))?.slice(6) ?? 'both');
  if (value === 'both') return ['redis', 'kafka'];
  if (value === 'redis' || value === 'kafka') return [value];
  throw new Error(`--bus must be redis, kafka or both (got ${String(value)})`);
}

interface BusResult extends SystemResult {
  bus: Bus;
  /** CPUs used per process in the idle seconds. */
  idle: Record<string, number>;
  sequential?: SequentialResult;
  /** Per ramp step: CPU µs per delivered message, by process. */
  cpuUsPerMessage: Array<Record<string, number>>;
}

/** CPU µs each process spent per message received in the step (its drain included). */
function cpuUsPerMessage(step: MeasuredStep): Record<string, number> {
  const perProcess = Object.entries(step.cpu).filter(([name]) => name !== 'machine');
  return Object.fromEntries(perProcess.map(([name, share]) => [name, Math.round((share * step.wallMs * 1000) / Math.max(1, step.received))]));
}

const fmtPerMessage = (us: Record<string, number>) =>
  Object.entries(us)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([n, v]) => `${n} ${v}`)
    .join(', ');

async function runBus(bus: Bus, engines: Engines, enginePids: Record<string, number>, dir: string): Promise<BusResult> {
  const name = `spear-${bus}`;
  let idle: Record<string, number> = {};
  let sequential: SequentialResult | undefined;
  let k = 0;
  const phase = await runPhase(
    s,
    () => startSpear(engines, bus, join(dir, bus), s.users + 1000, CPU_PROF),
    enginePids,
    async (fleet, pids, r) => {
      idle = (await withCpu(pids, () => new Promise((done) => setTimeout(done, IDLE_SECONDS * 1000)))).cpu;
      log(`[${name}] idle ${IDLE_SECONDS} s, every socket connected: CPUs ${fmtCpu(idle)}`);
      const seq = (sequential = await fleet.sequential(++k, SEQUENTIAL, SEQUENTIAL_TIMEOUT_MS));
      log(`[${name}] sequential ${fmtInt(seq.sent)} messages: send→receive ${fmtLatencyMs(seq.latency)}, send→answer ${fmtLatencyMs(seq.ackLatency)}; ${seq.timeouts} timeouts, refused ${JSON.stringify(seq.refused)}`);
      const nodes = [pids['spear-1']!, pids['spear-2']!];
      r.ramp = await ramp(`[${name}] 1:1 across nodes`, pids, s.rates, 1, async (rate) => {
        const profiled = CPU_PROF !== undefined && rate === CPU_PROF_RATE;
        if (profiled) toggleProfiler(nodes);
        try {
          return await fleet.direct(++k, rate, s.stepSeconds, s.drainMs);
        } finally {
          if (profiled) {
            toggleProfiler(nodes);
            log(`[${name}] CPU profiles of the ${rate}/s step (profiling slows the nodes down) in ${CPU_PROF}; summarize with node --import tsx bench/ticket/cpu-profile.ts <file> 25`);
          }
        }
      });
      for (const step of r.ramp.steps) log(`[${name}] ${fmtInt(step.offered)}/s offered: CPU µs per delivered message ${fmtPerMessage(cpuUsPerMessage(step))}`);
    },
    { pairing: 'cross' },
  );
  return { ...phase, bus, idle, sequential, cpuUsPerMessage: (phase.ramp?.steps ?? []).map(cpuUsPerMessage) };
}

function problemsOf(r: BusResult): string[] {
  const out: string[] = [];
  const steps = r.ramp?.steps ?? [];
  const refused = [r.sequential?.refused ?? {}, ...steps.map((st) => st.refused)].reduce((a, x) => a + Object.values(x).reduce((m, n) => m + n, 0), 0);
  if (r.connect.failed > 0) out.push(`${r.name}: ${r.connect.failed} clients failed to connect (${r.connect.firstError})`);
  if (!r.loss || r.loss.lost + r.loss.duplicates + r.loss.misrouted + r.loss.orderViolations > 0) out.push(`${r.name}: loss check ${JSON.stringify(r.loss ?? 'not run')}`);
  if (refused > 0) out.push(`${r.name}: ${refused} sends refused`);
  if (!r.sequential || r.sequential.timeouts > 0) out.push(`${r.name}: ${r.sequential?.timeouts ?? 'no'} sequential timeouts`);
  if (s.quick) for (const st of steps) if (st.undelivered > 0 || st.unsettled > 0 || st.received === 0) out.push(`${r.name}: the step at ${st.offered}/s left ${st.undelivered} undelivered, ${st.unsettled} unanswered (received ${st.received})`);
  return out;
}

async function main(): Promise<void> {
  const buses = parseBuses(argv);
  const machine = machineFacts();
  log(`spear cross-node bench (${QUICK ? 'quick' : 'full'}): ${fmtMachine(machine)}`);
  log(`  buses ${buses.join(', ')}; ${fmtInt(s.users)} users over ${s.workers} load generator(s), every pair across nodes; ${fmtInt(SEQUENTIAL)} sequential; ramp ${s.rates.map(fmtInt).join(', ')} msgs/s, ${s.stepSeconds} s each`);
  const dir = makeTempDir('spear-cross-node-');
  if (CPU_PROF) mkdirSync(CPU_PROF, { recursive: true });
  const e: { zk?: ZooKeeperHandle; redis?: RedisHandle; kafka?: KafkaHandle } = {};
  const cleanup = cleanupOnce(async () => {
    await e.kafka?.stop();
    appendBrokerPauses(e.kafka);
    await e.redis?.stop();
    await e.zk?.stop();
    removeTempDir(dir);
  });
  try {
    const zk = (e.zk = await startZooKeeper({ dir: join(dir, 'zookeeper') }));
    const redis = (e.redis = await startRedis({ dir: join(dir, 'redis') }));
    const kafka = buses.includes('kafka') ? (e.kafka = await startKafka({ dir: join(dir, 'kafka') })) : undefined;
    const engines: Engines = { zookeeper: zk.connectString, redisUrl: redis.url, ...(kafka ? { kafkaBrokers: kafka.brokers } : {}) };
    const enginePids = { redis: redis.pid, zookeeper: zk.pid, ...(kafka ? { kafka: kafka.pid } : {}) };
    const results: BusResult[] = [];
    for (const bus of buses) {
      const r = await runBus(bus, engines, enginePids, dir);
      results.push(r);
      const best = r.ramp?.bestUnderP99 ?? 0;
      const seq = r.sequential?.latency;
      log(
        `RESULT spear cross-node 1:1, ${bus} bus: sequential send→receive ${seq ? `p50 ${seq.p50} ms, p99 ${seq.p99} ms` : 'not run'}; ` +
          `highest delivered with p99 < ${P99_BOUND_MS} ms ${best > 0 ? `${fmtInt(best)} msgs/s` : 'none'}; peak delivered ${fmtInt(r.ramp?.peak ?? 0)}/s; lost ${r.loss?.lost ?? '?'}; load ${machineFacts().loadavg.join(' ')}`,
      );
    }
    const file = writeRunResult('cross-node', machine.date, 'json', JSON.stringify({ bench: 'spear-cross-node', machine, settings: { ...s, buses, sequential: SEQUENTIAL }, results }, null, 2));
    log(`figures in ${file}`);
    const problems = results.flatMap(problemsOf);
    for (const p of problems) log(`PROBLEM: ${p}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  log(`cross-node bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
