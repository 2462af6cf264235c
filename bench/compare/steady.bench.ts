/**
 * Fixed-rate 1:1 steps against one system at a time, for A/B runs of a
 * change (issue #7): the same clients and traffic as `npm run bench`
 * (bench/compare/run.ts), without the ramp and fan-out, plus
 * what a change to the Redis path moves: Redis commands, socket reads and
 * socket writes per message (INFO stats), and each spear node's event-loop
 * p99 and young-generation GCs. Fails on any acked send lost, duplicated,
 * misrouted or out of order.
 *
 *   npx nx run-many -t build --projects=tag:type:app   # first: it runs the bundles in dist/apps as they are
 *   node --import tsx bench/compare/steady.bench.ts     # ~2.5 min per system
 *
 * BENCH_SYSTEMS (spear; any of b0, spear, spear-copies (delivery.senderCopies
 * on), spear-window (spear.batchWindowMs 1: a node's forwards gathered for up
 * to 1 ms instead of one turn), spear-kafka (the Kafka bus, on a broker this bench starts beside the
 * other engines, warmed BENCH_KAFKA_WARMUP_SECONDS more first, as in `npm run
 * bench`; Redis counters then include no bus traffic), spear-kafka-js (the same
 * on kafkajs: `kafka.client: kafkajs`), spear-baseline (the bundles in BENCH_BASELINE_DIST=<checkout>/dist/apps,
 * built from an earlier commit, with that checkout's local profile), one after
 * the other); the
 * settings of `npm run bench` (bench/compare/settings.ts) with other defaults:
 * BENCH_RATES (1500,3000 msgs/s), BENCH_STEP_SECONDS (15),
 * BENCH_WARMUP_SECONDS (8, at BENCH_BUS_RATE, 1,000 msgs/s); BENCH_USERS,
 * BENCH_WORKERS, BENCH_CONCURRENCY, BENCH_DRAIN_MS as there.
 * BENCH_ENGINES: `single-redis` (default) or `cluster` (the cluster profile's
 * ZooKeeper ensemble and Redis Cluster, bench/scale/engines.ts); Redis counters
 * are summed over every Redis process.
 * BENCH_NODE_OPTIONS: NODE_OPTIONS for the system's processes only, e.g.
 * `--require $PWD/bench/support/trace-gc.cjs` (V8's per-GC lines: Spear's in its
 * service logs, copied to BENCH_KEEP_LOGS=dir before they are removed; B0's on
 * this console).
 * BENCH_SLOW_LOG and NODE_OPTIONS="--require $PWD/bench/support/trace-stalls.cjs"
 * BENCH_STALL_LOG: which process held up the slow messages
 * (bench/compare/stall-report.ts).
 * BENCH_CPU_PROF (a folder): V8 CPU profiles of each system's two gateway
 * processes during its last rate step (`<folder>/<system>/`); summarize with
 * `node --import tsx bench/ticket/cpu-profile.ts <file> 30`.
 */
import Redis from 'ioredis';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeTempDir, removeTempDir, startKafka, type KafkaHandle } from '@spear/testing';
import { cleanupOnce, fmtMachine, log, machineFacts } from '../rpc/measure';
import { fmtLatencyMs } from '../clients/histogram';
import { runPhase, warmUp } from './phase';
import { fmtCpu, gatewayPids, gcBetween, readNodes, repairedBetween, withCpu } from './scenarios';
import { toggleProfiler } from '../support/profiling-dist';
import { appendBrokerPauses } from '../support/jvm-pauses';
import { compareSettings } from './settings';
import { parseEngineKind, startScaleEngines, type ScaleEngines } from '../scale/engines';
import { startB0, startSpear, type Engines, type SystemUnderTest } from './systems';

/** `npm run bench`'s settings and variables, with this bench's own defaults for the steps. */
const s = compareSettings([], { BENCH_RATES: '1500,3000', BENCH_STEP_SECONDS: '15', BENCH_WARMUP_SECONDS: '8', ...process.env });
const SYSTEMS = (process.env.BENCH_SYSTEMS || 'spear').split(',').map((v) => v.trim());
const KNOWN = ['b0', 'spear', 'spear-copies', 'spear-window', 'spear-kafka', 'spear-kafka-js', 'spear-baseline'];
/** Systems on the Kafka bus: they need the broker this bench starts, and its warm-up. */
const ON_KAFKA = new Set(['spear-kafka', 'spear-kafka-js']);
for (const name of SYSTEMS) if (!KNOWN.includes(name)) throw new Error(`BENCH_SYSTEMS: unknown system ${name} (${KNOWN.join(', ')})`);
const BASELINE_DIST = process.env.BENCH_BASELINE_DIST ? resolve(process.env.BENCH_BASELINE_DIST) : undefined;
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
if (SYSTEMS.includes('spear-baseline') && !BASELINE_DIST) throw new Error('spear-baseline needs BENCH_BASELINE_DIST=<checkout>/dist/apps');

interface RedisCounts {
  commands: number;
  reads: number;
  writes: number;
  /** µs spent inside each command (INFO commandstats; a script's own calls are in its line and their own). */
  usec: Record<string, number>;
}

/** The counters summed over every Redis process (one, or a cluster's masters and replicas). */
async function redisCounts(observers: Redis[]): Promise<RedisCounts> {
  const all = await Promise.all(observers.map((redis) => redis.info('all')));
  const field = (name: string) => all.reduce((sum, stats) => sum + Number(stats.match(new RegExp(`${name}:(\\d+)`))?.[1] ?? Number.NaN), 0);
  const usec: Record<string, number> = {};
  for (const info of all) for (const [, name, n] of info.matchAll(/^cmdstat_([^:]+):calls=\d+,usec=(\d+)/gm)) usec[name!] = (usec[name!] ?? 0) + Number(n);
  return { commands: field('total_commands_processed'), reads: field('total_reads_processed'), writes: field('total_writes_processed'), usec };
}

/** Starts `name` with BENCH_NODE_OPTIONS in its processes' environment only (not in the load generators'). */
async function startSystem(name: string, engines: Engines, dir: string): Promise<SystemUnderTest> {
  const own = process.env.NODE_OPTIONS;
  if (process.env.BENCH_NODE_OPTIONS) process.env.NODE_OPTIONS = `${own ?? ''} ${process.env.BENCH_NODE_OPTIONS}`.trim();
  try {
    const users = s.users + 1000;
    const profiles = CPU_PROF && join(CPU_PROF, name);
    if (profiles) mkdirSync(profiles, { recursive: true });
    if (name === 'b0') return await startB0(engines, 2, profiles);
    // Each Kafka system names its client: a SPEAR_KAFKA_CLIENT in this shell would still override both (it wins over profiles).
    if (name === 'spear-kafka') return await startSpear(engines, 'kafka', join(dir, name), users, profiles, undefined, { kafka: { client: 'platformatic' } });
    if (name === 'spear-kafka-js') return { ...(await startSpear(engines, 'kafka', join(dir, name), users, profiles, undefined, { kafka: { client: 'kafkajs' } })), name };
    if (name === 'spear-window') return await startSpear(engines, 'redis', join(dir, name), users, profiles, undefined, { spear: { batchWindowMs: 1 } });
    if (name === 'spear-copies') return await startSpear(engines, 'redis', join(dir, name), users, profiles, undefined, { delivery: { senderCopies: true } });
    if (name === 'spear-baseline') return await startSpear(engines, 'redis', join(dir, name), users, profiles, { distDir: BASELINE_DIST!, baseProfile: resolve(BASELINE_DIST!, '../../profiles/local') });
    return await startSpear(engines, 'redis', join(dir, name), users, profiles);
  } finally {
    if (own === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = own;
  }
}

async function measure(name: string, engines: Engines, dir: string, observers: Redis[], enginePids: Record<string, number>): Promise<void> {
  try {
    const result = await runPhase(s, () => startSystem(name, engines, dir), enginePids, async (fleet, pids, _result, system) => {
      // Every spear-kafka system, not only the first on the shared broker: an A/B of two builds compares them warmed alike.
      if (ON_KAFKA.has(name)) await warmUp(fleet, pids, name, s, s.kafkaWarmupSeconds, "the broker's warm-up");
      let k = 0;
      for (const rate of s.rates) {
        const [countsBefore, nodesBefore] = await Promise.all([redisCounts(observers), readNodes(system.metricsUrls)]);
        const profiled = CPU_PROF !== undefined && rate === s.rates.at(-1);
        if (profiled) toggleProfiler(gatewayPids(pids));
        const { result: step, cpu } = await withCpu(pids, () => fleet.direct(++k, rate, s.stepSeconds, s.drainMs));
        if (profiled) {
          toggleProfiler(gatewayPids(pids));
          await new Promise((r) => setTimeout(r, 2000)); // the profiles are written before the system stops
        }
        const [countsAfter, nodesAfter] = await Promise.all([redisCounts(observers), readNodes(system.metricsUrls)]);
        const per = (field: 'commands' | 'reads' | 'writes') => ((countsAfter[field] - countsBefore[field]) / Math.max(1, step.sent)).toFixed(2);
        // Time inside commands per message; the rest of Redis's CPU is its sockets and event loop.
        const inside = Object.entries(countsAfter.usec)
          .map(([name, us]) => [name, (us - (countsBefore.usec[name] ?? 0)) / Math.max(1, step.sent)] as const)
          .filter(([, us]) => us >= 0.5)
          .sort((a, b) => b[1] - a[1])
          .map(([name, us]) => `${name} ${us.toFixed(1)}`);
        const loop = Object.entries(nodesAfter).map(([node, reading]) => `${node} ${reading.eventLoopP99Ms} ms`);
        const gc = Object.entries(gcBetween(nodesBefore, nodesAfter)).map(([node, kinds]) => `${node} ${kinds.minor ? `${kinds.minor.count} x ${kinds.minor.meanMs} ms` : '-'}`);
        log(
          `[${name}] ${rate}/s: delivered ${step.deliveredPerSecond}/s, ${fmtLatencyMs(step.latency)}; CPUs ${fmtCpu(cpu)}; ` +
            `Redis per message: ${per('commands')} commands (script calls inside included), ${per('reads')} reads, ${per('writes')} writes, µs inside commands: ${inside.join(', ') || '-'}` +
            (loop.length > 0 ? `; event-loop p99 ${loop.join(', ')}; young GCs ${gc.join(', ')}; messages repaired from logs ${repairedBetween(nodesBefore, nodesAfter)}` : ''),
        );
      }
    });
    const loss = result.loss;
    if (result.connect.failed > 0 || !loss || loss.lost + loss.duplicates + loss.misrouted + loss.orderViolations > 0) process.exitCode = 1;
  } finally {
    keepLogs(join(dir, name, 'logs'), name);
  }
}

/** Spear's services log under its cluster folder (B0's servers log nowhere); copied before the folder is removed. */
function keepLogs(logs: string, name: string): void {
  const keep = process.env.BENCH_KEEP_LOGS;
  if (!keep || !existsSync(logs)) return;
  try {
    cpSync(logs, join(keep, name), { recursive: true, force: true });
  } catch (error) {
    log(`[${name}] could not keep the logs in ${keep}: ${String(error)}`);
  }
}

async function main(): Promise<void> {
  const kind = parseEngineKind(process.env.BENCH_ENGINES || undefined);
  log(`steady 1:1 bench: ${fmtMachine(machineFacts())}; systems ${SYSTEMS.join(', ')}; rates ${s.rates.join(', ')} msgs/s for ${s.stepSeconds} s; ${s.users} users; engines ${kind}`);
  const dir = makeTempDir('spear-steady-');
  let engines: ScaleEngines | undefined;
  let kafka: KafkaHandle | undefined;
  let observers: Redis[] = [];
  const cleanup = cleanupOnce(async () => {
    for (const observer of observers) observer.disconnect();
    await kafka?.stop();
    appendBrokerPauses(kafka);
    await engines?.stop();
    removeTempDir(dir);
  });
  try {
    engines = await startScaleEngines(kind, dir);
    observers = engines.redisUrls.map((url) => new Redis(url));
    if (SYSTEMS.some((name) => ON_KAFKA.has(name))) kafka = await startKafka({ dir: join(dir, 'kafka') });
    const all = kafka ? { engines: { ...engines.engines, kafkaBrokers: kafka.brokers }, pids: { ...engines.pids, kafka: kafka.pid } } : engines;
    for (const name of SYSTEMS) {
      await engines.reset();
      await measure(name, all.engines, dir, observers, all.pids);
    }
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  log(`steady bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
