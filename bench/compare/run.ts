/**
 * Spear against the baseline B0 (plain socket.io 4.8 + @socket.io/redis-adapter),
 * same machine, same run, same engines, same clients (issue #7):
 *   `npm run bench`        every scenario at full size (~10 min); the JSON and the tables
 *                          go to .run/bench/compare-<start time>.{json,md} (git-ignored)
 *   `npm run bench -- --update-docs`
 *                          the same, and also rewrites docs/bench-results/compare.json and
 *                          the tables in docs/BENCHMARKS.md (full runs only)
 *   `npm run bench:quick`  every scenario small (< 3 min, in CI): checks that every
 *                          message arrived and every client connected, not speed
 * Needs the app bundles (`npx nx run-many -t build --projects=tag:type:app`).
 *
 * Per system (B0, then B0s, then B1, then Spear with the Redis bus, then Spear with the Kafka bus;
 * B0s is B0 on the sharded redis adapter, B1 on the redis streams adapter with connection
 * state recovery; both run only the 1:1 ramp and the fan-out):
 *   5. connect storm: every user connects at once (Spear: a ticket each); time until all are ready
 *   warm-up: BENCH_WARMUP_SECONDS of 1:1 traffic at the bus rate, not measured
 *   1. cross-node 1:1: an open-loop ramp of offered msgs/s over the user pairs (half of them
 *      across nodes); then one step at 50% of B0's saturation rate
 *   4. one step at the bus comparison rate (Spear only; the Kafka bus runs only this)
 *   2. group fan-out: every user joins one group; a ramp of publishes per second
 *   loss check: every acked 1:1 send was received
 * Then 3. idle capacity (bench/compare/idle-capacity.bench.ts, its own engines).
 * With BENCH_BASELINE_DIST=<checkout>/dist/apps (app bundles built from an earlier commit),
 * Spear from those bundles (Redis bus, the checkout's profiles/local as base profile) runs the
 * 1:1 ramp too, right after Spear, and the run reports the before/after ratio of 1:1 msgs/s
 * under the p99 bound (a change's speed check).
 * Exits non-zero when a message is lost or a client fails to connect (and in quick mode
 * when anything is left undelivered).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeTempDir, removeTempDir, startKafka, startRedis, startZooKeeper, type KafkaHandle, type RedisHandle, type ZooKeeperHandle } from '@spear/testing';
import { cleanupOnce, fmtInt, fmtMachine, log, machineFacts } from '../rpc/measure';
import type { ClientFleet } from '../clients/client-fleet';
import { runPhase, warmUp } from './phase';
import { problemsOf, summarize, writeDocsReport, writeRunReport, type CompareResults } from './report';
import { gatewayPids, gcBetween, measureStep, medianByP99, ramp, readNodes, repairedBetween, type MeasuredStep } from './scenarios';
import { compareSettings } from './settings';
import { toggleProfiler } from '../support/profiling-dist';
import { appendBrokerPauses } from '../support/jvm-pauses';
import { startB0, startSpear, type Engines } from './systems';

const GROUP = 'bench-all';
/** A folder for V8 profiles; every system's gateway processes run able to profile on SIGUSR2 (see CPU_PROF_AT for when). */
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;

/** With BENCH_CPU_PROF: the fan-out step (publishes per second) during which the spear nodes and B0 are profiled, instead of the 1:1 step. */
const CPU_PROF_FANOUT_RATE = Number(process.env.BENCH_CPU_PROF_FANOUT_RATE ?? 0);
/** With BENCH_CPU_PROF: what is profiled (BENCH_CPU_PROF_STORM=1: the connect storm of every system). */
const CPU_PROF_AT = process.env.BENCH_CPU_PROF_STORM === '1' ? 'storm' : CPU_PROF_FANOUT_RATE > 0 ? 'fanout' : 'half';

interface Engine {
  zk?: ZooKeeperHandle;
  redis?: RedisHandle;
  kafka?: KafkaHandle;
}

const FLAGS = ['--quick', '--update-docs'];
/** Bundles of an earlier build to run as "spear-baseline" (see the header). */
const BASELINE_DIST = process.env.BENCH_BASELINE_DIST ? resolve(process.env.BENCH_BASELINE_DIST) : undefined;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const unknown = argv.filter((a) => !FLAGS.includes(a));
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(' ')} (known: ${FLAGS.join(' ')})`);
  const updateDocs = argv.includes('--update-docs');
  const s = compareSettings(argv, process.env);
  if (updateDocs && s.quick) throw new Error('--update-docs takes a full run: quick figures check delivery, not speed');
  const machine = machineFacts();
  log(`compare bench (${s.quick ? 'quick' : 'full'}): ${fmtMachine(machine)}; ${fmtInt(s.users)} users over ${s.workers} load generators`);
  const dir = makeTempDir('spear-compare-');
  if (CPU_PROF) mkdirSync(CPU_PROF, { recursive: true });
  const e: Engine = {};
  const cleanup = cleanupOnce(async () => {
    await e.kafka?.stop();
    appendBrokerPauses(e.kafka);
    await e.redis?.stop();
    await e.zk?.stop();
    removeTempDir(dir);
  });
  try {
    e.zk = await startZooKeeper({ dir: join(dir, 'zookeeper') });
    e.redis = await startRedis({ dir: join(dir, 'redis') });
    e.kafka = await startKafka({ dir: join(dir, 'kafka') });
    const engines: Engines = { zookeeper: e.zk.connectString, redisUrl: e.redis.url, kafkaBrokers: e.kafka.brokers };
    const enginePids = { redis: e.redis.pid, kafka: e.kafka.pid };
    let k = 0;
    const fanout = async (fleet: ClientFleet, pids: Record<string, number>, label: string) => {
      const joined = await fleet.join(GROUP);
      log(`[${label}] ${fmtInt(joined.members)} members joined ${GROUP}, ${joined.failed} failed`);
      const nodes = gatewayPids(pids);
      const profiled = (rate: number) => CPU_PROF !== undefined && CPU_PROF_AT === 'fanout' && nodes.length > 0 && rate === CPU_PROF_FANOUT_RATE;
      return ramp(`[${label}] fan-out`, pids, s.fanoutRates, joined.members, async (rate) => {
        if (profiled(rate)) toggleProfiler(nodes);
        try {
          return await fleet.fanout(++k, GROUP, rate, s.stepSeconds, s.drainMs);
        } finally {
          if (profiled(rate)) toggleProfiler(nodes);
        }
      });
    };
    const direct = (fleet: ClientFleet, rate: number, share = 1) => fleet.direct(++k, rate, s.stepSeconds, s.drainMs, share);
    /** Scenario 1 with only `s.fewUsers` of the users taking part (skipped at 0). */
    const rampFew = (label: string, fleet: ClientFleet, pids: Record<string, number>) =>
      s.fewUsers > 0 ? ramp(`[${label}] 1:1, ${s.fewUsers} users`, pids, s.rates, 1, (rate) => direct(fleet, rate, s.fewUsers / s.users)) : Promise.resolve(undefined);
    /** A fixed-rate step `n` times (`measure` runs one, given its label): every run, and the one of median p99. */
    const repeated = async (n: number, label: string, measure: (label: string) => Promise<MeasuredStep>) => {
      const runs: MeasuredStep[] = [];
      for (let i = 1; i <= n; i++) runs.push(await measure(n > 1 ? `${label}, run ${i} of ${n}` : label));
      return { runs, median: medianByP99(runs) };
    };
    /** The step at 50% of B0's saturation, `s.halfRuns` times. */
    const halfSteps = async (label: string, measure: (label: string) => Promise<MeasuredStep>) => {
      const { runs, median } = await repeated(s.halfRuns, label, measure);
      return { halfRuns: runs, atHalfOfB0: median };
    };
    /** Scenario 4's step at the bus comparison rate, `s.busRuns` times. */
    const busSteps = async (label: string, fleet: ClientFleet, pids: Record<string, number>) => {
      const { runs, median } = await repeated(s.busRuns, `[${label}] 1:1 at the bus comparison rate`, (l) => measureStep(l, pids, s.busRate, 1, () => direct(fleet, s.busRate)));
      return { busRuns: runs, atBusRate: median };
    };
    /** With BENCH_CPU_PROF_STORM=1 the gateway processes are profiled during the connect storm. */
    const storm = {
      aroundConnect: (pids: Record<string, number>) => {
        if (CPU_PROF !== undefined && CPU_PROF_AT === 'storm') toggleProfiler(gatewayPids(pids));
      },
    };

    const b0 = await runPhase(s, () => startB0(engines, 2, CPU_PROF), { redis: e.redis.pid }, async (fleet, pids, r) => {
      r.ramp = await ramp('[b0] 1:1', pids, s.rates, 1, (rate) => direct(fleet, rate));
      r.rampFew = await rampFew('b0', fleet, pids);
      const halfRate = (r.halfRate = Math.max(1, Math.round(r.ramp.peak / 2)));
      Object.assign(r, await halfSteps('[b0] 1:1 at 50% of its saturation', (label) => measureStep(label, pids, halfRate, 1, () => direct(fleet, halfRate))));
      r.fanout = await fanout(fleet, pids, 'b0');
    }, storm);
    const b0s = await runPhase(s, () => startB0(engines, 2, CPU_PROF, 'sharded'), { redis: e.redis.pid }, async (fleet, pids, r) => {
      r.ramp = await ramp('[b0s] 1:1', pids, s.rates, 1, (rate) => direct(fleet, rate));
      r.fanout = await fanout(fleet, pids, 'b0s');
    }, storm);
    const b1 = await runPhase(s, () => startB0(engines, 2, CPU_PROF, 'streams'), { redis: e.redis.pid }, async (fleet, pids, r) => {
      r.ramp = await ramp('[b1] 1:1', pids, s.rates, 1, (rate) => direct(fleet, rate));
      r.fanout = await fanout(fleet, pids, 'b1');
    }, storm);
    const halfRate = b0.halfRate ?? s.rates[0]!;
    const spearRedis = await runPhase(s, () => startSpear(engines, 'redis', join(dir, 'spear-redis'), s.users + 1000, CPU_PROF), enginePids, async (fleet, pids, r, system) => {
      const beforeRamp = await readNodes(system.metricsUrls);
      r.ramp = await ramp('[spear-redis] 1:1', pids, s.rates, 1, (rate) => direct(fleet, rate));
      // A message late past the hole repair's wait (1.5 s: beyond saturation) is read from its log again.
      log(`[spear-redis] messages repaired from logs during the ramp: ${repairedBetween(beforeRamp, await readNodes(system.metricsUrls))}`);
      r.rampFew = await rampFew('spear-redis', fleet, pids);
      r.halfRate = halfRate;
      const nodes = [pids['spear-1']!, pids['spear-2']!];
      const profileHalf = CPU_PROF !== undefined && CPU_PROF_AT === 'half';
      if (profileHalf) toggleProfiler(nodes);
      Object.assign(r, await halfSteps("[spear-redis] 1:1 at 50% of B0's saturation", async (label) => {
        const before = await readNodes(system.metricsUrls);
        const step = await measureStep(label, pids, halfRate, 1, () => direct(fleet, halfRate));
        const after = await readNodes(system.metricsUrls);
        step.eventLoopP99Ms = Object.fromEntries(Object.entries(after).map(([name, n]) => [name, n.eventLoopP99Ms]));
        step.gc = gcBetween(before, after);
        log(`  event-loop delay p99 during that step (ms): ${JSON.stringify(step.eventLoopP99Ms)}; GC pauses: ${JSON.stringify(step.gc)}; messages repaired from logs: ${repairedBetween(before, after)}`);
        return step;
      }));
      if (profileHalf) {
        toggleProfiler(nodes);
        log(`[spear-redis] CPU profiles of that step (profiling slows the nodes down) go to ${CPU_PROF}`);
      }
      Object.assign(r, await busSteps('spear-redis', fleet, pids));
      r.fanout = await fanout(fleet, pids, 'spear-redis');
    }, storm);
    const baseline = BASELINE_DIST
      ? await runPhase(s, () => startSpear(engines, 'redis', join(dir, 'spear-baseline'), s.users + 1000, undefined, { distDir: BASELINE_DIST, baseProfile: resolve(BASELINE_DIST, '../../profiles/local') }), enginePids, async (fleet, pids, r) => {
          r.ramp = await ramp('[spear-baseline] 1:1', pids, s.rates, 1, (rate) => direct(fleet, rate));
        })
      : undefined;
    const spearKafka = await runPhase(s, () => startSpear(engines, 'kafka', join(dir, 'spear-kafka'), s.users + 1000, CPU_PROF), enginePids, async (fleet, pids, r) => {
      await warmUp(fleet, pids, 'spear-kafka', s, s.kafkaWarmupSeconds, "the broker's warm-up");
      Object.assign(r, await busSteps('spear-kafka', fleet, pids));
    }, storm);
    await cleanup();

    const results: CompareResults = { machine, settings: s, systems: { b0, b0s, b1, spearRedis, spearKafka }, idle: s.idleConnections > 0 ? await idleCapacity(s.idleConnections) : undefined };
    for (const line of summarize(results)) log(line);
    if (baseline?.ramp && spearRedis.ramp) {
      const [before, after] = [baseline.ramp.bestUnderP99, spearRedis.ramp.bestUnderP99];
      log(`before/after (BENCH_BASELINE_DIST=${BASELINE_DIST}): 1:1 msgs/s under the p99 bound ${fmtInt(before)} -> ${fmtInt(after)}, ratio ${(after / Math.max(1, before)).toFixed(2)}; peak ${fmtInt(baseline.ramp.peak)} -> ${fmtInt(spearRedis.ramp.peak)}`);
    }
    log(`figures in ${writeRunReport(results).join(' and ')}`);
    if (updateDocs) {
      writeDocsReport(results);
      log('docs/BENCHMARKS.md (the compare tables) and docs/bench-results/compare.json rewritten');
    }
    const problems = problemsOf(results);
    for (const p of problems) log(`PROBLEM: ${p}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

/** Scenario 3 runs as its own bench (it needs one node and its own holders); its last line is JSON. */
function idleCapacity(connections: number): Promise<CompareResults['idle']> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'idle-capacity.bench.ts')], { env: { ...process.env, BENCH_IDLE_CONNECTIONS: String(connections) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      out += chunk.toString();
    });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`idle capacity bench exited with ${code}`));
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as CompareResults['idle']);
      } catch {
        reject(new Error(`idle capacity bench: no JSON line at the end (${last.slice(0, 200)})`));
      }
    });
  });
}


main().catch((error: unknown) => {
  log(`compare bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
