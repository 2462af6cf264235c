/**
 * Spear RPC against plain Nest TCP, same machine, same empty method, same
 * payload: `node --import tsx bench/rpc/round-trip.bench.ts` (~30 s).
 *
 * A real ZooKeeper is started in a temp dir; the providers run in a child
 * process (bench/rpc/server.ts) so client and server have an event loop
 * each. Three targets:
 *   - `spear`: RpcClient.call → RpcServer, discovered in ZooKeeper, with
 *     RpcMetrics on both sides (as every service runs it)
 *   - `spear-bare`: the same without metrics
 *   - `nest-tcp`: lastValueFrom(ClientTCP.send(...)) → Nest's Transport.TCP server
 * Measured: sequential round trips (one call in flight; p50/p99) and
 * throughput with CONCURRENCY calls in flight. The machine is a shared
 * 2-core VM whose load drifts, so the targets are measured side by side and
 * compared as ratios to nest-tcp:
 *   - sequential calls are interleaved call by call (A B C, B C A, ...), so
 *     each target sees the same machine at the same moment;
 *   - throughput runs in slices of ~0.25 s, the order reversed every slice;
 *     each round's ratio is computed, the RESULT line gives their median
 *     and range (the range is the noise);
 *   - CPU time per call at CONCURRENCY in flight (client + server, from
 *     process.cpuUsage) is less sensitive to other load than wall time.
 *
 * Environment: BENCH_ROUNDS (4); per target per round BENCH_CALLS sequential
 * calls (5000) and BENCH_SECONDS of throughput (1.25); BENCH_CONCURRENCY (64);
 * BENCH_WARMUP calls per target before measuring (3000); BENCH_TARGETS (all;
 * e.g. `spear` alone, to profile it with --cpu-prof, which is passed on to
 * the server process). Progress lines, a `RESULT ...` line, a final JSON line.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { Registry as PromRegistry } from 'prom-client';
import { lastValueFrom } from 'rxjs';
import { ZooKeeperRegistry } from '@spear/registry';
import { RpcClient, RpcMetrics } from '@spear/rpc';
import { DEV_CLUSTER_SECRET, DEV_ZOOKEEPER_AUTH, freePort, makeTempDir, removeTempDir, startZooKeeper, type ZooKeeperHandle } from '@spear/testing';
import { bounded, checkInterrupted, cleanupOnce, concurrent, fmtInt, fmtLatency, fmtMachine, Interrupted, LatencyRecorder, log, machineFacts, ownCpu, ratio, sequential, type LatencySummary } from './measure';
import type { FromServer, ToServer } from './server';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CALLS = Number(process.env.BENCH_CALLS ?? 5000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.25);
/** A round's throughput time per target, cut in slices of about 0.25 s. */
const SLICES = Math.max(1, Math.round(SECONDS / 0.25));
const SLICE_SECONDS = SECONDS / SLICES;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3000);
/** Comma-separated subset of targets, e.g. for a profile of one (ratios need nest-tcp). */
const ONLY = (process.env.BENCH_TARGETS ?? '').split(',').filter(Boolean);
const ROOT = '/spear-bench/rpc';
/** The same argument for every target; Nest's send() refuses null/undefined data. */
const PAYLOAD = { n: 1 };
const NEST_PATTERN = { service: 'bench', method: 'empty' };

type TargetName = 'spear' | 'spear-bare' | 'nest-tcp';
interface Target {
  name: TargetName;
  call: () => Promise<unknown>;
  seq: LatencyRecorder;
  loaded: LatencyRecorder;
  tputCalls: number;
  tputMs: number;
  tputCpuUs: number;
  tputErrors: number;
  rounds: Array<{ p50Us: number; p99Us: number; perSecond: number }>;
}

/** The provider child: forked with IPC, answering cpu requests. */
class ServerChild {
  private readonly waiting: Array<(m: FromServer) => void> = [];
  readonly exited: Promise<void>;

  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    // A send on a channel that just closed (the child died) is reported here; cpuUs() then gives NaN.
    child.on('error', () => undefined);
    child.on('message', (m: FromServer) => this.waiting.shift()?.(m));
  }

  static async start(args: string[]): Promise<ServerChild> {
    // --cpu-prof* flags given to the bench are passed on, so that one command profiles both sides.
    const execArgv = ['--import', 'tsx', ...process.execArgv.filter((a) => a.startsWith('--cpu-prof'))];
    const child = fork(join(__dirname, 'server.ts'), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const server = new ServerChild(child);
    const first = await Promise.race([server.next(), server.exited.then((): FromServer => ({ type: 'error', message: 'server exited before it was ready' }))]);
    if (first.type !== 'ready') {
      await server.stop();
      throw new Error(`bench server did not start: ${first.type === 'error' ? first.message : first.type}`);
    }
    return server;
  }

  private next(): Promise<FromServer> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async cpuUs(): Promise<number> {
    if (!this.child.connected) return NaN;
    const reply = this.next();
    this.child.send({ type: 'cpu' } satisfies ToServer);
    const m = await reply;
    return m.type === 'cpu' ? m.us : NaN;
  }

  /** Asks it to close its apps and exit; SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToServer);
    else this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const machine = machineFacts();
  log(`rpc round-trip bench: ${fmtMachine(machine)}`);
  log(`  ${ROUNDS} rounds; per target per round: ${fmtInt(CALLS)} sequential calls, ${SECONDS} s at ${CONCURRENCY} in flight; warm-up ${fmtInt(WARMUP)} calls; payload ${JSON.stringify(PAYLOAD)}`);

  const dir = makeTempDir('spear-bench-rpc-');
  let zk: ZooKeeperHandle | undefined;
  let server: ServerChild | undefined;
  let registry: ZooKeeperRegistry | undefined;
  const clients: Array<{ close(): unknown }> = [];
  const cleanup = cleanupOnce(async () => {
    for (const c of clients) await bounded(Promise.resolve(c.close()), 2000);
    await server?.stop();
    await bounded(registry?.close(), 2000);
    await zk?.stop();
    removeTempDir(dir);
  });
  try {
    zk = await startZooKeeper({ dir });
    log(`  zookeeper on ${zk.connectString}`);
    const nestPort = await freePort();
    server = await ServerChild.start([zk.connectString, ROOT, String(nestPort)]);
    log(`  providers up in child pid ${server.child.pid} (nest tcp port ${nestPort})`);

    registry = new ZooKeeperRegistry({ connect: zk.connectString, root: ROOT, sessionTimeoutMs: 10_000, connectTimeoutMs: 5000, auth: DEV_ZOOKEEPER_AUTH });
    await registry.ready();
    const spear = new RpcClient({ registry, clusterSecret: DEV_CLUSTER_SECRET, metrics: new RpcMetrics(new PromRegistry()), discoveryWaitMs: 5000 });
    const bare = new RpcClient({ registry, clusterSecret: DEV_CLUSTER_SECRET, discoveryWaitMs: 5000 });
    const nest: ClientProxy = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: nestPort } });
    clients.push(spear, bare, nest);
    await nest.connect();

    const target = (name: TargetName, call: () => Promise<unknown>): Target => ({
      name,
      call,
      seq: new LatencyRecorder(),
      loaded: new LatencyRecorder(),
      tputCalls: 0,
      tputMs: 0,
      tputCpuUs: 0,
      tputErrors: 0,
      rounds: [],
    });
    const targets = [
      target('spear', () => spear.call('bench-m', 'empty', PAYLOAD)),
      target('spear-bare', () => bare.call('bench', 'empty', PAYLOAD)),
      target('nest-tcp', () => lastValueFrom(nest.send(NEST_PATTERN, PAYLOAD))),
    ].filter((t) => ONLY.length === 0 || ONLY.includes(t.name));

    for (const t of targets) {
      const reply = await t.call();
      if (reply !== null) throw new Error(`${t.name}: expected null from the empty method, got ${JSON.stringify(reply)}`);
      await sequential(`${t.name} warm-up`, WARMUP, t.call);
      await concurrent(`${t.name} warm-up`, 0.3, CONCURRENCY, t.call);
    }

    const cpuNow = async () => ownCpu() + (await server!.cpuUs());
    for (let round = 1; round <= ROUNDS; round++) {
      log(`  round ${round}/${ROUNDS}`);
      // Sequential: the targets' calls interleaved one by one (the first target rotating),
      // so every target sees the same machine at the same moment.
      const seq = new Map(targets.map((t) => [t, new LatencyRecorder()]));
      for (let i = 0; i < CALLS; i++) {
        checkInterrupted();
        for (let k = 0; k < targets.length; k++) {
          const t = targets[(i + k) % targets.length]!;
          const t0 = performance.now();
          await t.call();
          seq.get(t)!.add(performance.now() - t0);
        }
        if ((i + 1) % Math.max(1, Math.floor(CALLS / 2)) === 0) log(`    sequential: ${fmtInt(i + 1)} / ${fmtInt(CALLS)} calls per target`);
      }
      for (const t of targets) {
        t.seq.merge(seq.get(t)!);
        log(`  ${t.name.padEnd(10)} sequential ${fmtLatency(seq.get(t)!.summary())}`);
      }
      // Throughput: short slices, the order reversed every slice (ABC CBA ...).
      const calls = new Map(targets.map((t) => [t, { calls: 0, ms: 0 }]));
      for (let slice = 0; slice < SLICES; slice++) {
        for (const t of slice % 2 === 0 ? targets : [...targets].reverse()) {
          const cpu0 = await cpuNow();
          const tp = await concurrent(`${t.name} x${CONCURRENCY}`, SLICE_SECONDS, CONCURRENCY, t.call);
          t.tputCpuUs += (await cpuNow()) - cpu0;
          t.tputCalls += tp.calls;
          t.tputMs += tp.ms;
          t.tputErrors += tp.errors;
          t.loaded.merge(tp.latency);
          calls.get(t)!.calls += tp.calls;
          calls.get(t)!.ms += tp.ms;
        }
      }
      for (const t of targets) {
        const s = seq.get(t)!.summary();
        const perSecond = (calls.get(t)!.calls / calls.get(t)!.ms) * 1000;
        t.rounds.push({ p50Us: s.p50Us, p99Us: s.p99Us, perSecond: Math.round(perSecond) });
        log(`  ${t.name.padEnd(10)} ${fmtInt(perSecond)} calls/s at ${CONCURRENCY} in flight`);
      }
    }

    const results = targets.map((t) => {
      const sequentialLatency: LatencySummary = t.seq.summary();
      return {
        name: t.name,
        sequential: sequentialLatency,
        throughput: {
          concurrency: CONCURRENCY,
          callsPerSecond: Math.round((t.tputCalls / t.tputMs) * 1000),
          errors: t.tputErrors,
          cpuUsPerCall: Math.round((t.tputCpuUs / t.tputCalls) * 10) / 10,
          latency: t.loaded.summary(),
        },
        rounds: t.rounds,
      };
    });
    const nestTarget = targets.find((t) => t.name === 'nest-tcp');
    const nestResult = results.find((r) => r.name === 'nest-tcp');
    /** Per-round ratios to nest-tcp (min, median, max): how much of a ratio is noise. */
    const spread = (t: Target, field: 'p50Us' | 'p99Us' | 'perSecond') => {
      const values = t.rounds.map((r, i) => ratio(r[field], nestTarget!.rounds[i]![field])).sort((a, b) => a - b);
      const mid = values.length / 2;
      const median = values.length % 2 === 1 ? values[Math.floor(mid)]! : ratio(values[mid - 1]! + values[mid]!, 2);
      return { min: values[0], median, max: values[values.length - 1] };
    };
    const vsNest = Object.fromEntries(
      results
        .filter((r) => nestResult && r !== nestResult)
        .map((r) => {
          const t = targets.find((x) => x.name === r.name)!;
          return [
            r.name,
            {
              p50: ratio(r.sequential.p50Us, nestResult!.sequential.p50Us),
              p99: ratio(r.sequential.p99Us, nestResult!.sequential.p99Us),
                throughput: ratio(r.throughput.callsPerSecond, nestResult!.throughput.callsPerSecond),
              loadedCpuPerCall: ratio(r.throughput.cpuUsPerCall, nestResult!.throughput.cpuUsPerCall),
              loadedP99: ratio(r.throughput.latency.p99Us, nestResult!.throughput.latency.p99Us),
              perRound: { p50: spread(t, 'p50Us'), p99: spread(t, 'p99Us'), throughput: spread(t, 'perSecond') },
            },
          ];
        }),
    );
    log('');
    for (const r of results) {
      log(`  ${r.name.padEnd(10)} sequential p50 ${r.sequential.p50Us} µs, p99 ${r.sequential.p99Us} µs | ` +
        `${fmtInt(r.throughput.callsPerSecond)} calls/s at ${CONCURRENCY} in flight (p50 ${r.throughput.latency.p50Us} µs, p99 ${r.throughput.latency.p99Us} µs), ${r.throughput.cpuUsPerCall} µs CPU/call`);
    }
    const errors = results.reduce((sum, r) => sum + r.throughput.errors, 0);
    const load = machineFacts().loadavg;
    log(
      `RESULT rpc round trip, Spear/Nest TCP (sequential: all calls; throughput: median of rounds; [min–max of rounds]): ` +
        Object.entries(vsNest)
          .map(([name, v]) => {
            const range = (x: { min?: number; max?: number }) => `[${x.min}–${x.max}]`;
            return `${name} p50 ${v.p50}x ${range(v.perRound.p50)}, p99 ${v.p99}x ${range(v.perRound.p99)}, throughput ${v.perRound.throughput.median}x ${range(v.perRound.throughput)}, CPU/call at ${CONCURRENCY} in flight ${v.loadedCpuPerCall}x`;
          })
          .join('; ') +
        `; errors ${errors}; load ${load.join(' ')}`,
    );
    log(JSON.stringify({ bench: 'rpc-round-trip', machine, loadavgEnd: load, settings: { rounds: ROUNDS, calls: CALLS, seconds: SECONDS, concurrency: CONCURRENCY, warmup: WARMUP, payload: PAYLOAD }, results, vsNest }));
    process.exitCode = errors === 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  if (error instanceof Interrupted) return;
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
