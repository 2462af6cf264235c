/**
 * The systems the comparison benches run side by side, on the same engines:
 * Spear (idgen, ticket and two spear nodes from the built bundles, with the
 * Redis or the Kafka bus) and the baseline B0 (two plain socket.io processes
 * with @socket.io/redis-adapter, bench/baseline/b0-server.ts).
 * Rate limits are raised out of the way in Spear's profile: the bench offers
 * load on purpose, and B0 has none.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, launchCluster, writeClusterProfile, type ClusterHandle } from '@spear/testing';
import { profilingDist } from '../support/profiling-dist';
import { IpcChild } from '../support/ipc-child';
import type { Connector } from '../clients/connect-user';

export interface Engines {
  zookeeper: string;
  redisUrl: string;
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
export async function startSpear(
  engines: Engines,
  bus: 'redis' | 'kafka',
  dir: string,
  maxConnections: number,
  cpuProfileDir?: string,
  build?: { distDir: string; baseProfile: string },
  /** Profile sections to add (e.g. `{delivery: {senderCopies: true}}`); not for an earlier build, whose schema may lack them. */
  extra: Record<string, unknown> = {},
): Promise<SystemUnderTest> {
  const jwtSecret = randomBytes(24).toString('hex');
  const overrides = { ...OPEN_LIMITS(maxConnections), secrets: { jwtSecret }, ...extra };
  const profileDir = await writeClusterProfile({ dir, engines, bus, spearNodes: 2, overrides, ...(build ? { base: build.baseProfile, validate: false } : {}) });
  const distDir = build?.distDir;
  const profiling = cpuProfileDir ? { distDir: profilingDist(dir, cpuProfileDir), env: { BENCH_CPU_PROF_DIR: cpuProfileDir, BENCH_CPU_PROF_TAG: `compare-${bus}` } } : distDir ? { distDir } : {};
  // Resolves once ticket hands out both nodes.
  const cluster: ClusterHandle = await launchCluster({ profileDir, dir, apps: ['idgen', 'ticket', 'spear'], ...profiling });
  const pid = (name: string) => cluster.service(name).pid;
  return {
    name: `spear-${bus}`,
    connector: { kind: 'spear', ticketUrl: cluster.ticketUrl, jwtSecret },
    pids: { 'spear-1': pid('spear-spear-1'), 'spear-2': pid('spear-spear-2'), ticket: pid('ticket'), idgen: pid('idgen') },
    metricsUrls: { 'spear-1': `${cluster.service('spear-spear-1').baseUrl}/metrics`, 'spear-2': `${cluster.service('spear-spear-2').baseUrl}/metrics` },
    acks: true,
    stop: () => cluster.stop(),
  };
}

type FromB0 = { type: 'ready'; port: number } | { type: 'error'; message: string };

/** `cpuProfileDir`: B0 profiles between two SIGUSR2, as the spear nodes do. */
export async function startB0(engines: Engines, processes = 2, cpuProfileDir?: string): Promise<SystemUnderTest> {
  const servers: Array<IpcChild<{ type: 'stop' }, FromB0>> = [];
  const urls: string[] = [];
  try {
    for (let i = 0; i < processes; i++) {
      const port = await freePort();
      servers.push(await IpcChild.start(join(__dirname, '../baseline/b0-server.ts'), 'b0', { B0_PORT: String(port), B0_REDIS_URL: engines.redisUrl, ...(cpuProfileDir ? { B0_CPU_PROF_DIR: cpuProfileDir } : {}) }));
      urls.push(`http://127.0.0.1:${port}`);
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  return {
    name: 'b0',
    connector: { kind: 'b0', urls },
    pids: Object.fromEntries(servers.map((s, i) => [`b0-${i + 1}`, s.pid])),
    acks: false,
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
