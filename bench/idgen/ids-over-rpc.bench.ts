/**
 * Snowflake ids over Spear RPC from one real idgen process:
 * `npx nx run idgen:build && node --import tsx bench/idgen/ids-over-rpc.bench.ts` (~20 s).
 *
 * Starts ZooKeeper and Redis in a temp dir and the built idgen bundle
 * (dist/apps/idgen/main.js) as a child process, as test/idgen.e2e.spec.ts
 * does; this process is the one consumer, with an RpcClient as services
 * have it (RpcMetrics on, idgen calls retry-safe). Measures:
 *   1. single-id round trip: sequential `rpc.call('idgen', 'next')`, p50/p99
 *      (and `nextBatch({n: 4096})` for comparison);
 *   2. ids/s handed to the consumer by PrefetchingIdSource (batches of 4096,
 *      refill at half), as strings, for BENCH_SECONDS each in two consumer shapes:
 *      - `yielding`: takes ids with tryNext() and returns to the event loop
 *        every 1,000 ids (as a server handling messages does), so refills
 *        land while ids are still buffered;
 *      - `tight`: `await next()` per id and nothing else; microtasks never
 *        let I/O in, so every refill's reply waits until the buffer is empty
 *        (the worst case: one round trip stall per batch).
 * One idgen worker can issue at most 4,096,000 ids/s (4096 per ms); the goal
 * is ≥ 1,000,000 ids/s delivered. Every id is compared with the previous
 * (strict increase, so no duplicates); the check's cost is included.
 *
 * Environment: BENCH_SECONDS (4) per consumer shape, BENCH_CALLS (20000)
 * sequential next() calls. Progress lines, a `RESULT ...` line, a final JSON line.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Registry as PromRegistry } from 'prom-client';
import { PrefetchingIdSource, type NextBatchReply, type NextIdReply } from '@spear/idgen-client';
import { ZooKeeperRegistry } from '@spear/registry';
import { RpcClient, RpcMetrics } from '@spear/rpc';
import { compareIds as importedCompareIds } from '@spear/snowflake';
import {
  launchCluster,
  DEV_CLUSTER_SECRET,
  DEV_ZOOKEEPER_AUTH,
  makeTempDir,
  removeTempDir,
  startRedis,
  startZooKeeper,
  WORKSPACE_DIST,
  writeClusterProfile,
  type ClusterHandle,
  type RedisHandle,
  type ZooKeeperHandle,
} from '@spear/testing';
import { bounded, checkInterrupted, cleanupOnce, fmtInt, fmtLatency, fmtMachine, Interrupted, LatencyRecorder, log, machineFacts, ownCpu, procCpuUs, ratio, sequential } from '../rpc/measure';

// tsx compiles imports to property getters; a local copy keeps that out of the per-id loop.
const compareIds = importedCompareIds;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CALLS = Number(process.env.BENCH_CALLS ?? 20_000);
const BATCH = 4096;
const LIMIT = 4_096_000;
const GOAL = 1_000_000;
const YIELD_EVERY = 1000;

interface ConsumerResult {
  shape: 'yielding' | 'tight';
  ids: number;
  ms: number;
  idsPerSecond: number;
  ofLimit: number;
  ofGoal: number;
  /** Times the consumer found the buffer empty and had to wait for a refill. */
  stalls: number;
  violations: number;
  consumerCpuShare: number;
  idgenCpuShare: number;
}

/** Takes ids from a fresh source for `seconds` in the given shape. */
async function consume(rpc: RpcClient, idgenPid: number, shape: ConsumerResult['shape'], seconds: number): Promise<ConsumerResult> {
  const source = new PrefetchingIdSource(rpc, { batch: BATCH });
  await source.warm();
  let prev = '';
  let violations = 0;
  let stalls = 0;
  let ids = 0;
  const cpu0 = ownCpu();
  const idgenCpu0 = procCpuUs(idgenPid);
  const start = performance.now();
  const end = start + seconds * 1000;
  let nextReport = start + 1000;
  for (let now = start; now < end; now = performance.now()) {
    checkInterrupted();
    if (shape === 'yielding') {
      for (let i = 0; i < YIELD_EVERY; i++) {
        let id = source.tryNext();
        if (id === undefined) {
          stalls++;
          id = await source.next();
        }
        if (compareIds(prev, id) >= 0) violations++;
        prev = id;
      }
      await yieldToEventLoop();
    } else {
      for (let i = 0; i < YIELD_EVERY; i++) {
        if (source.buffered === 0) stalls++;
        const id = await source.next();
        if (compareIds(prev, id) >= 0) violations++;
        prev = id;
      }
    }
    ids += YIELD_EVERY;
    if (now >= nextReport) {
      log(`    ${shape}: ${((now - start) / 1000).toFixed(0)} s, ${fmtInt(ids)} ids, ${fmtInt(stalls)} stalls`);
      nextReport += 1000;
    }
  }
  const ms = performance.now() - start;
  const idsPerSecond = (ids / ms) * 1000;
  const result: ConsumerResult = {
    shape,
    ids,
    ms: Math.round(ms),
    idsPerSecond: Math.round(idsPerSecond),
    ofLimit: ratio(idsPerSecond, LIMIT),
    ofGoal: ratio(idsPerSecond, GOAL),
    stalls,
    violations,
    consumerCpuShare: ratio((ownCpu() - cpu0) / 1000, ms),
    idgenCpuShare: ratio((procCpuUs(idgenPid) - idgenCpu0) / 1000, ms),
  };
  log(
    `  ${shape}: ${fmtInt(idsPerSecond)} ids/s (${result.ofGoal}x the 1M goal, ${result.ofLimit}x of 4,096,000), ` +
      `${fmtInt(stalls)} stalls in ${fmtInt(ids / BATCH)} batches, ${violations} order violations, cpu consumer ${Math.round(result.consumerCpuShare * 100)}% / idgen ${Math.round(result.idgenCpuShare * 100)}%`,
  );
  return result;
}

async function main(): Promise<void> {
  const bundle = join(WORKSPACE_DIST, 'idgen', 'main.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npx nx run idgen:build\` first`);
  const machine = machineFacts();
  log(`idgen ids-over-rpc bench: ${fmtMachine(machine)}`);
  log(`  idgen bundle ${bundle}, built ${statSync(bundle).mtime.toISOString()}`);
  log(`  ${fmtInt(CALLS)} sequential next() calls; ${SECONDS} s per consumer shape; batches of ${BATCH}`);

  const dir = makeTempDir('spear-bench-idgen-');
  let zk: ZooKeeperHandle | undefined;
  let redis: RedisHandle | undefined;
  let cluster: ClusterHandle | undefined;
  let registry: ZooKeeperRegistry | undefined;
  let rpc: RpcClient | undefined;
  const cleanup = cleanupOnce(async () => {
    await bounded(rpc?.close(), 2000);
    await bounded(registry?.close(), 2000);
    await cluster?.stop();
    await Promise.all([redis?.stop(), zk?.stop()]);
    removeTempDir(dir);
  });
  try {
    [zk, redis] = await Promise.all([startZooKeeper({ dir: join(dir, 'zookeeper') }), startRedis({ dir: join(dir, 'redis') })]);
    const profileDir = await writeClusterProfile({ dir, engines: { zookeeper: zk.connectString, redisUrl: redis.url } });
    cluster = await launchCluster({ profileDir, dir, apps: ['idgen'] });
    const idgen = cluster.service('idgen');
    log(`  zookeeper ${zk.connectString}, redis ${redis.url}, idgen pid ${idgen.pid} (${idgen.baseUrl})`);
    const profile = JSON.parse(readFileSync(join(profileDir, 'profile.json'), 'utf8')) as { zookeeper: { root: string } };
    registry = new ZooKeeperRegistry({ connect: zk.connectString, root: profile.zookeeper.root, sessionTimeoutMs: 10_000, connectTimeoutMs: 5000, auth: DEV_ZOOKEEPER_AUTH });
    await registry.ready();
    const client = new RpcClient({
      registry,
      clusterSecret: DEV_CLUSTER_SECRET,
      metrics: new RpcMetrics(new PromRegistry()),
      services: { idgen: { retrySafe: ['next', 'nextBatch'], timeoutMs: 2000 } },
      discoveryWaitMs: 10_000,
    });
    rpc = client;

    // 1. One id per round trip.
    let prev = '';
    let nextViolations = 0;
    const next = async () => {
      const { id } = await client.call<NextIdReply>('idgen', 'next');
      if (compareIds(prev, id) >= 0) nextViolations++;
      prev = id;
    };
    await sequential('next() warm-up', 3000, next);
    const nextLatency = await sequential('next()', CALLS, next);
    const nextSummary = nextLatency.summary();
    log(`  next() round trip: ${fmtLatency(nextSummary)}`);
    const batchCalls = Math.max(100, Math.floor(CALLS / 10));
    const batchLatency = new LatencyRecorder();
    await sequential(`nextBatch(${BATCH})`, batchCalls, () => client.call<NextBatchReply>('idgen', 'nextBatch', { n: BATCH }), batchLatency);
    const batchSummary = batchLatency.summary();
    log(`  nextBatch(${BATCH}) round trip: ${fmtLatency(batchSummary)}`);

    // 2. Ids delivered through the prefetching source.
    const consumers = [await consume(client, idgen.pid, 'yielding', SECONDS), await consume(client, idgen.pid, 'tight', SECONDS)];

    const violations = nextViolations + consumers.reduce((sum, c) => sum + c.violations, 0);
    const load = machineFacts().loadavg;
    log(
      `RESULT idgen over rpc: next() p50 ${nextSummary.p50Us} µs, p99 ${nextSummary.p99Us} µs; nextBatch(${BATCH}) p50 ${batchSummary.p50Us} µs, p99 ${batchSummary.p99Us} µs; ` +
        consumers.map((c) => `prefetch ${c.shape} ${(c.idsPerSecond / 1e6).toFixed(2)}M ids/s = ${c.ofGoal}x goal (${c.stalls} stalls)`).join(', ') +
        `; order violations ${violations}; load ${load.join(' ')}`,
    );
    log(
      JSON.stringify({
        bench: 'idgen-ids-over-rpc',
        machine,
        loadavgEnd: load,
        settings: { seconds: SECONDS, calls: CALLS, batch: BATCH, yieldEvery: YIELD_EVERY },
        next: nextSummary,
        nextBatch: batchSummary,
        consumers,
        violations,
      }),
    );
    process.exitCode = violations === 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  if (error instanceof Interrupted) return;
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
