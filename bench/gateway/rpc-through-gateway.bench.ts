/**
 * The gateway's cost on `rpc`: a client's call through a spear node to a
 * no-op backend method, against the same method called directly over
 * libs/rpc, in one run: `node --import tsx bench/gateway/rpc-through-gateway.bench.ts` (~1 min;
 * builds nothing: run `npx nx run-many -t build` first).
 *
 * Real ZooKeeper and Redis in a temp dir, idgen, ticket and one spear node
 * from dist/, and the backend (libs/backend, `bench/gateway/noop-backend.ts`)
 * in a process of its own. Two targets, same backend method, same payload:
 *   - `gateway`: socket.io emitWithAck('rpc') → spear (route `bench.` →
 *     benchsvc.rpc over libs/rpc) → backend, and back;
 *   - `direct`: RpcClient.call('benchsvc', 'rpc', ...) from this process.
 * Measured per round, interleaved so both see the same machine: sequential
 * round trips (p50/p99) and throughput with BENCH_CONCURRENCY (32) in
 * flight for BENCH_SECONDS (2) each; the CPU of the spear node and of the
 * backend per call (from /proc and the backend's process.cpuUsage). The
 * RESULT line gives the ratios gateway/direct (medians over BENCH_ROUNDS, 3).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Registry as PromRegistry } from 'prom-client';
import { io, type Socket } from 'socket.io-client';
import { loadConfig, zookeeperAuthOf } from '@spear/config';
import { ZooKeeperRegistry } from '@spear/registry';
import { RpcClient, RpcMetrics } from '@spear/rpc';
import { issueToken, launchCluster, makeTempDir, procCpuUs, removeTempDir, startRedis, startZooKeeper, writeClusterProfile } from '@spear/testing';
import { concurrent, fmtInt, fmtMachine, LatencyRecorder, log, machineFacts, ratio, sequential } from '../rpc/measure';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const DATA = { n: 1 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = makeTempDir('spear-bench-gateway-');
  const [zk, redis] = await Promise.all([startZooKeeper({ dir: join(dir, 'zk') }), startRedis({ dir: join(dir, 'redis') })]);
  const cleanups: Array<() => Promise<unknown> | unknown> = [() => zk.stop(), () => redis.stop(), () => removeTempDir(dir)];
  try {
    const profileDir = await writeClusterProfile({
      dir,
      engines: { zookeeper: zk.connectString, redisUrl: redis.url },
      spearNodes: 1,
      // The event budget is the abuse guard, not what is measured here.
      overrides: { spear: { routes: [{ match: 'bench.', backend: { service: 'benchsvc', method: 'rpc' }, timeoutMs: 5000 }], rateLimit: { eventsPerSecond: 1_000_000, burst: 1_000_000, strikes: 1000 } } },
    });
    const cluster = await launchCluster({ profileDir, dir, apps: ['idgen', 'ticket', 'spear'] });
    cleanups.unshift(() => cluster.stop());
    const config = loadConfig('idgen', { profile: profileDir });
    const backend = fork(join(__dirname, 'noop-backend.ts'), [profileDir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    cleanups.unshift(() => backend.kill('SIGKILL'));
    await new Promise((resolve) => backend.once('message', resolve));
    const backendCpu = () => new Promise<number>((resolve) => (backend.once('message', (m: { cpuUs: number }) => resolve(m.cpuUs)), backend.send('cpu')));

    const registry = new ZooKeeperRegistry({ ...config.zookeeper, auth: zookeeperAuthOf(config) });
    await registry.ready();
    const rpc = new RpcClient({ registry, clusterSecret: config.secrets.clusterSecret, metrics: new RpcMetrics(new PromRegistry()), discoveryWaitMs: 5000 });
    cleanups.unshift(() => registry.close(), () => rpc.close());

    const uid = 'bench-user';
    const { ticket, node } = (await (await fetch(`${cluster.ticketUrl}/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid, token: await issueToken(cluster.ticketUrl, uid) }) })).json()) as { ticket: string; node: { url: string } };
    const socket: Socket = io(node.url, { auth: { ticket }, transports: ['websocket'], reconnection: false });
    cleanups.unshift(() => socket.close());
    await new Promise((resolve, reject) => (socket.once('ready', resolve), socket.once('connect_error', reject)));
    const spearPid = cluster.service('spear-spear-1').pid;

    const targets = {
      gateway: async () => {
        const ack = (await socket.emitWithAck('rpc', { method: 'bench.noop', data: DATA })) as { ok: boolean };
        if (!ack.ok) throw new Error(JSON.stringify(ack));
      },
      direct: () => rpc.call('benchsvc', 'rpc', { uid, device: 'default', sessionId: 'bench', node: 'spear-1', method: 'bench.noop', data: DATA, meta: null }),
    };
    for (const call of Object.values(targets)) for (let i = 0; i < 2000; i++) await call(); // warm-up
    const results: Record<'gateway' | 'direct', { seq: LatencyRecorder; perSecond: number[]; p99Loaded: number[]; spearCpuUs: number[]; backendCpuUs: number[] }> = {
      gateway: { seq: new LatencyRecorder(), perSecond: [], p99Loaded: [], spearCpuUs: [], backendCpuUs: [] },
      direct: { seq: new LatencyRecorder(), perSecond: [], p99Loaded: [], spearCpuUs: [], backendCpuUs: [] },
    };
    for (let round = 1; round <= ROUNDS; round++) {
      log(`round ${round}/${ROUNDS}`);
      const order = round % 2 ? (['gateway', 'direct'] as const) : (['direct', 'gateway'] as const);
      for (const name of order) await sequential(name, CALLS, targets[name], results[name].seq);
      for (const name of order) {
        const [spear0, backend0] = [procCpuUs(spearPid), await backendCpu()];
        const t = await concurrent(name, SECONDS, CONCURRENCY, targets[name]);
        const [spear1, backend1] = [procCpuUs(spearPid), await backendCpu()];
        results[name].perSecond.push(t.perSecond);
        results[name].p99Loaded.push(t.latency.summary().p99Us);
        results[name].spearCpuUs.push((spear1 - spear0) / t.calls);
        results[name].backendCpuUs.push((backend1 - backend0) / t.calls);
        log(`  ${name}: ${fmtInt(t.perSecond)} calls/s at ${CONCURRENCY} in flight, p99 ${t.latency.summary().p99Us} µs, spear ${((spear1 - spear0) / t.calls).toFixed(1)} µs CPU/call, backend ${((backend1 - backend0) / t.calls).toFixed(1)} µs CPU/call`);
      }
    }
    const summary = Object.fromEntries(
      (['gateway', 'direct'] as const).map((name) => {
        const r = results[name];
        const seq = r.seq.summary();
        return [name, { seqP50Us: seq.p50Us, seqP99Us: seq.p99Us, perSecond: Math.round(median(r.perSecond)), loadedP99Us: median(r.p99Loaded), spearCpuUsPerCall: Number(median(r.spearCpuUs).toFixed(1)), backendCpuUsPerCall: Number(median(r.backendCpuUs).toFixed(1)) }];
      }),
    ) as Record<'gateway' | 'direct', { seqP50Us: number; seqP99Us: number; perSecond: number; loadedP99Us: number; spearCpuUsPerCall: number; backendCpuUsPerCall: number }>;
    const { gateway, direct } = summary;
    log(`machine: ${fmtMachine(machineFacts())}`);
    log(
      `RESULT rpc through the gateway vs direct libs/rpc: sequential p50 ${gateway.seqP50Us} vs ${direct.seqP50Us} µs (x${ratio(gateway.seqP50Us, direct.seqP50Us)}), p99 ${gateway.seqP99Us} vs ${direct.seqP99Us} µs; ` +
        `throughput ${fmtInt(gateway.perSecond)} vs ${fmtInt(direct.perSecond)} calls/s (x${ratio(gateway.perSecond, direct.perSecond)}) at ${CONCURRENCY} in flight, loaded p99 ${gateway.loadedP99Us} vs ${direct.loadedP99Us} µs; ` +
        `spear node CPU ${gateway.spearCpuUsPerCall} µs/call; backend CPU ${gateway.backendCpuUsPerCall} vs ${direct.backendCpuUsPerCall} µs/call`,
    );
    log(JSON.stringify({ machine: machineFacts(), rounds: ROUNDS, calls: CALLS, seconds: SECONDS, concurrency: CONCURRENCY, ...summary }));
  } finally {
    for (const cleanup of cleanups) await Promise.resolve(cleanup()).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
