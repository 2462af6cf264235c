/**
 * The systems the comparison benches run side by side, on the same engines:
 * Spear (idgen, ticket and two spear nodes from the built bundles, with the
 * Redis or the Kafka bus; any number of nodes for the scale bench) and the
 * baselines B0 (plain socket.io processes with @socket.io/redis-adapter's
 * classic adapter) and B0s (the same with its sharded adapter), both
 * bench/baseline/b0-server.ts.
 * Rate limits are raised out of the way in Spear's profile: the bench offers
 * load on purpose, and B0 has none.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { deepMerge } from '@spear/config';
import { freePort, launchCluster, SERVICE_V8_FLAGS, writeClusterProfile, type ClusterHandle } from '@spear/testing';
import { profilingDist } from '../support/profiling-dist';
import { IpcChild } from '../support/ipc-child';
import type { Connector } from '../clients/connect-user';
import type { B0Adapter } from '../baseline/b0-server';

export interface Engines {
  zookeeper: string;
  redisUrl: string;
  /** The other nodes of a Redis Cluster (redisUrl is one of them): Spear runs with `redis.cluster`, B0 with a cluster client. */
  redisSeeds?: string[];
  kafkaBrokers?: string[];
}

export interface SystemUnderTest {
  name: string;
  connector: Connector;
  /** The server-side processes whose CPU counts, by name. */
  pids: Record<string, number>;
  /** Prometheus endpoints of the gateway processes, by name (Spear only). */
  metricsUrls?: Record<string, string>;
  /** Whether receivers ack 1:1 messages (Spear's inbox needs it; B0 has no inbox). */
  acks: boolean;
  stop(): Promise<void>;
}

const OPEN_LIMITS = (maxConnections: number) => ({
  ticket: { rateLimit: { perUid: { limit: 1e9, windowMs: 60_000 }, perIp: { limit: 1e9, windowMs: 60_000 } } },
  spear: { maxConnections, rateLimit: { eventsPerSecond: 1e6, burst: 1e6, strikes: 1e6 } },
});

/**
 * `cpuProfileDir`: spear nodes run from a wrapper that profiles between two SIGUSR2 (bench/support/profiling-dist.ts).
 * `build`: app bundles other than the workspace's dist/apps and the profile they were built to read
 * (an earlier build, for a before/after run: its profile schema may differ from today's).
 */
export function startSpear(
  engines: Engines,
  bus: 'redis' | 'kafka',
  dir: string,
  maxConnections: number,
  cpuProfileDir?: string,
  build?: { distDir: string; baseProfile: string },
  /** Profile sections to add (e.g. `{delivery: {senderCopies: true}}`); not for an earlier build, whose schema may lack them. */
  extra: Record<string, unknown> = {},
): Promise<SystemUnderTest> {
  return startSpearNodes(engines, { bus, dir, maxConnections, cpuProfileDir, build, extra });
}

export interface SpearOptions {
  bus: 'redis' | 'kafka';
  dir: string;
  /** spear.maxConnections of every node. */
  maxConnections: number;
  /** How many spear nodes (default 2). */
  nodes?: number;
  cpuProfileDir?: string;
  build?: { distDir: string; baseProfile: string };
  extra?: Record<string, unknown>;
}

/**
 * idgen, ticket and `nodes` spear nodes (see startSpear); resolves once ticket
 * hands out every node. Its pids and metrics are named `spear-1` ... `spear-<nodes>`.
 */
export async function startSpearNodes(engines: Engines, o: SpearOptions): Promise<SystemUnderTest> {
  const { bus, dir, cpuProfileDir, build, nodes = 2 } = o;
  const jwtSecret = randomBytes(24).toString('hex');
  // Merged key by key: an extra `spear` section (e.g. batchWindowMs) adds to the open limits', it does not replace them.
  const overrides = deepMerge({ ...OPEN_LIMITS(o.maxConnections), secrets: { jwtSecret } }, o.extra ?? {});
  const profileDir = await writeClusterProfile({ dir, engines, bus, spearNodes: nodes, overrides, ...(build ? { base: build.baseProfile, validate: false } : {}) });
  const distDir = build?.distDir;
  const profiling = cpuProfileDir ? { distDir: profilingDist(dir, cpuProfileDir), env: { BENCH_CPU_PROF_DIR: cpuProfileDir, BENCH_CPU_PROF_TAG: `compare-${bus}` } } : distDir ? { distDir } : {};
  const cluster: ClusterHandle = await launchCluster({ profileDir, dir, apps: ['idgen', 'ticket', 'spear'], ...profiling });
  const pid = (name: string) => cluster.service(name).pid;
  const names = Array.from({ length: nodes }, (_, i) => `spear-${i + 1}`);
  return {
    name: `spear-${bus}`,
    connector: { kind: 'spear', ticketUrl: cluster.ticketUrl, jwtSecret },
    pids: { ...Object.fromEntries(names.map((n) => [n, pid(`spear-${n}`)])), ticket: pid('ticket'), idgen: pid('idgen') },
    metricsUrls: Object.fromEntries(names.map((n) => [n, `${cluster.service(`spear-${n}`).baseUrl}/metrics`])),
    acks: true,
    stop: () => cluster.stop(),
  };
}

type FromB0 = { type: 'ready'; port: number } | { type: 'error'; message: string };

/** What each adapter's baseline is called in the reports and its pids (`b0s-1` ...). */
const BASELINE_NAMES: Record<B0Adapter, string> = { classic: 'b0', sharded: 'b0s', streams: 'b1' };

/**
 * `processes` B0 servers, started together. `adapter`: `classic` is B0, `sharded`
 * is B0s, `streams` is B1 (BASELINE_NAMES). `cpuProfileDir`: B0 profiles
 * between two SIGUSR2, as the spear nodes do. They run with the V8 flags
 * Spear's services get (SERVICE_V8_FLAGS), so the systems differ in code only.
 */
export async function startB0(engines: Engines, processes = 2, cpuProfileDir?: string, adapter: B0Adapter = 'classic'): Promise<SystemUnderTest> {
  const name = BASELINE_NAMES[adapter];
  const ports: number[] = [];
  for (let i = 0; i < processes; i++) ports.push(await freePort());
  const env = (port: number) => ({ B0_PORT: String(port), B0_REDIS_URL: engines.redisUrl, ...(engines.redisSeeds ? { B0_REDIS_SEEDS: engines.redisSeeds.join(',') } : {}), B0_ADAPTER: adapter, ...(cpuProfileDir ? { B0_CPU_PROF_DIR: cpuProfileDir } : {}) });
  const started = await Promise.allSettled(ports.map((port) => IpcChild.start<{ type: 'stop' }, FromB0>(join(__dirname, '../baseline/b0-server.ts'), name, env(port), SERVICE_V8_FLAGS)));
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((s) => s.stop()));
    throw failed.reason;
  }
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  return {
    name,
    connector: { kind: 'b0', urls },
    pids: Object.fromEntries(servers.map((s, i) => [`${name}-${i + 1}`, s.pid])),
    acks: false,
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
