import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../until';
import { assertDisjoint, assertIntegerOption, portList } from './port-list';
import { startRedis, type RedisHandle, type RedisOptions } from './redis';
import { createRedisCluster } from './redis-cluster-create';
import { checkClusterSettled } from './redis-cluster-settled';
import { clusterInfo, clusterNodes, formatSlots, ownerOfSlot, type RedisClusterNodeView } from './redis-cluster-view';
import { REDIS_CLUSTER_SLOTS, redisKeySlot } from './redis-key-slot';
import { startTogether } from './start-together';

/** Options for {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** Folder holding one `node-<port>` folder per node (data, nodes.conf, log, pid file). */
  dir: string;
  /** Masters the 16384 slots are split among; at least 3 (Redis Cluster's minimum). Default 3. */
  masters?: number;
  /** Replicas of each master, 0 to 5. Default 1. */
  replicasPerMaster?: number;
  /**
   * Client ports, one per node (masters × (1 + replicasPerMaster)); free ones
   * when omitted. On a new cluster the first `masters` become the masters.
   */
  ports?: number[];
  /**
   * Cluster bus ports, one per node, in the order of `ports`; free ones when
   * omitted. Pass them (with `ports`) for a cluster restarted from its `dir`.
   */
  busPorts?: number[];
  /** Each node keeps its data in an append-only file (fsynced once a second). Default false. */
  persistence?: boolean;
  /** Memory bound of each node (noeviction). Default '256mb'. */
  maxmemory?: string;
  /**
   * How long a node may not answer before its peers count it failing and a
   * replica takes over its slots. Default 1500 ms: a failover in a few seconds.
   */
  nodeTimeoutMs?: number;
  /** Nodes outlive this process (see StartEngineOptions.detached). Default false. */
  detached?: boolean;
  /** How long the cluster may take to form (or re-form from `dir`). Default 30 s. */
  startTimeoutMs?: number;
}

/** A node of the cluster as it was when the cluster became ready. */
export interface RedisClusterNode {
  readonly port: number;
  readonly busPort: number;
  /** "redis://127.0.0.1:port". */
  readonly url: string;
  /** Its role when the cluster became ready; a failover changes it: ask masters() for the live roles. */
  readonly role: 'master' | 'replica';
  readonly dir: string;
}

/** How a failover went: the master that took over the slots, and how long it took. */
export interface RedisFailover {
  /** Port of the replica that now serves the dead master's slots. */
  readonly port: number;
  /** From kill() to a cluster settled again (every live node says cluster_state:ok and agrees on the slots). */
  readonly ms: number;
}

/** A running Redis Cluster started by {@link startRedisCluster}. Loopback only. */
export interface RedisClusterHandle {
  readonly nodes: readonly RedisClusterNode[];
  /** Every node's url, for a cluster client's startup nodes. */
  readonly seeds: readonly string[];
  /** Port of the master serving a slot (0-16383) or a key's slot, read live; during a failover possibly the failed one. */
  masterOf(slotOrKey: number | string): Promise<number>;
  /** Ports of the masters serving slots and not counted failing, read live. */
  masters(): Promise<number[]>;
  /** The process id of the node on `port`, or undefined while it is killed (a restart gives it a new one). */
  pidOf(port: number): number | undefined;
  /** Ports of the live replicas of the master on `masterPort`, read live (empty when it has none). */
  replicasOf(masterPort: number): Promise<number[]>;
  /** SIGKILL, as a crash; resolves once the process is gone. Killing a dead node does nothing. */
  kill(port: number): Promise<void>;
  /**
   * Starts a killed node again on its port and folder (same node id) and
   * resolves once the cluster is settled with it: an old master comes back as
   * a replica of the one that took over. Without `persistence` it comes back
   * empty and resyncs from its master.
   */
  restart(port: number): Promise<void>;
  /**
   * After kill(oldMasterPort): resolves once a replica serves its slots and the
   * cluster is settled again; rejects after `timeoutMs` (default 30 s) saying what is missing.
   */
  waitForFailover(oldMasterPort: number, timeoutMs?: number): Promise<RedisFailover>;
  /** Stops every live node (SIGTERM, then SIGKILL if need be). Idempotent. */
  stop(): Promise<void>;
}

/** A node's folder inside the cluster's `dir`. */
export function redisClusterNodeDir(dir: string, port: number): string {
  return join(dir, `node-${port}`);
}

const WHAT = 'startRedisCluster';

/**
 * Starts a Redis Cluster of plain `redis-server` processes on 127.0.0.1:
 * `masters` masters with `replicasPerMaster` replicas each, joined by
 * `redis-cli --cluster create`. A `dir` holding a cluster made earlier (every
 * node's nodes.conf) is started again as it was, without creating anew.
 * Resolves once the cluster is settled: every node says `cluster_state:ok`,
 * all agree on who serves which slots, and every replica's link is up.
 */
export async function startRedisCluster(options: RedisClusterOptions): Promise<RedisClusterHandle> {
  const { dir, masters = 3, replicasPerMaster = 1, persistence = false, maxmemory = '256mb', nodeTimeoutMs = 1_500, detached = false, startTimeoutMs = 30_000 } = options;
  assertIntegerOption(WHAT, 'masters', masters, 3, 100);
  assertIntegerOption(WHAT, 'replicasPerMaster', replicasPerMaster, 0, 5);
  assertIntegerOption(WHAT, 'nodeTimeoutMs', nodeTimeoutMs, 100, 60_000);
  const count = masters * (1 + replicasPerMaster);
  const ports = await portList(`${WHAT} ports`, count, options.ports);
  const busPorts = await portList(`${WHAT} busPorts`, count, options.busPorts);
  assertDisjoint(WHAT, ports, busPorts);
  mkdirSync(dir, { recursive: true });

  const nodeOptions = (index: number): RedisOptions => ({
    dir: redisClusterNodeDir(dir, ports[index]!),
    port: ports[index],
    cluster: { busPort: busPorts[index]!, nodeTimeoutMs },
    persistence,
    maxmemory,
    detached,
  });
  const handles = new Map<number, RedisHandle>();
  const started = await startTogether(ports.map((_, index) => () => startRedis(nodeOptions(index))));
  started.forEach((handle) => handles.set(handle.port, handle));
  const stopAll = async () => void (await Promise.all([...handles.values()].map((handle) => handle.stop())));

  let view: RedisClusterNodeView[];
  try {
    if (await isEmptyCluster(ports)) await createRedisCluster(ports, replicasPerMaster, join(dir, 'cluster-create.out'));
    view = await waitSettled(ports, startTimeoutMs);
  } catch (error) {
    await stopAll();
    throw error;
  }

  const killed = new Map<number, { at: number; slots: RedisClusterNodeView['slots'] }>();
  const livePorts = () => ports.filter((port) => handles.has(port));
  const known = (port: number) => {
    if (!ports.includes(port)) throw new Error(`redis cluster: no node on port ${port} (nodes: ${ports.join(', ')})`);
  };
  /** The cluster as the first live node that answers sees it. */
  const liveView = async (): Promise<RedisClusterNodeView[]> => {
    for (const port of livePorts()) {
      const nodes = await clusterNodes(port);
      if (nodes) return nodes;
    }
    throw new Error(`redis cluster: no live node answers CLUSTER NODES (live: ${livePorts().join(', ') || 'none'})`);
  };

  return {
    nodes: ports.map((port, index) => ({
      port,
      busPort: busPorts[index]!,
      url: `redis://127.0.0.1:${port}`,
      role: view.find((node) => node.port === port)?.role ?? 'replica',
      dir: redisClusterNodeDir(dir, port),
    })),
    seeds: ports.map((port) => `redis://127.0.0.1:${port}`),
    pidOf: (port) => {
      known(port);
      return handles.get(port)?.pid;
    },
    masterOf: async (slotOrKey) => {
      const slot = typeof slotOrKey === 'string' ? redisKeySlot(slotOrKey) : slotOrKey;
      if (!Number.isInteger(slot) || slot < 0 || slot >= REDIS_CLUSTER_SLOTS) throw new Error(`redis cluster: ${slotOrKey} is not a slot (0-${REDIS_CLUSTER_SLOTS - 1}) or a key`);
      const owner = ownerOfSlot(await liveView(), slot);
      if (!owner) throw new Error(`redis cluster: no master serves slot ${slot}`);
      return owner.port;
    },
    masters: async () =>
      (await liveView())
        .filter((node) => node.role === 'master' && node.slots.length > 0 && !node.failing)
        .map((node) => node.port)
        .sort((a, b) => a - b),
    replicasOf: async (masterPort) => {
      known(masterPort);
      const nodes = await liveView();
      const master = nodes.find((node) => node.port === masterPort);
      return nodes
        .filter((node) => master && node.masterId === master.id && !node.failing)
        .map((node) => node.port)
        .sort((a, b) => a - b);
    },
    kill: async (port) => {
      known(port);
      const handle = handles.get(port);
      if (!handle) return;
      // What it serves now, for waitForFailover: once a replica took over, no view says.
      const own = (await clusterNodes(port))?.find((node) => node.myself);
      killed.set(port, { at: Date.now(), slots: own?.role === 'master' ? own.slots : [] });
      handles.delete(port);
      await handle.kill();
    },
    restart: async (port) => {
      known(port);
      if (handles.has(port)) throw new Error(`redis cluster: 127.0.0.1:${port} is running; kill it first`);
      const handle = await startRedis(nodeOptions(ports.indexOf(port)));
      handles.set(port, handle);
      killed.delete(port);
      await waitSettled(livePorts(), startTimeoutMs);
    },
    waitForFailover: async (oldMasterPort, timeoutMs = 30_000) => {
      known(oldMasterPort);
      const death = killed.get(oldMasterPort);
      if (!death) throw new Error(`redis cluster: 127.0.0.1:${oldMasterPort} was not killed through this handle`);
      const slot = death.slots[0]?.[0];
      if (slot === undefined) throw new Error(`redis cluster: 127.0.0.1:${oldMasterPort} served no slots when killed (a replica)`);
      const check = await pollUntil(
        async () => {
          const settled = await checkClusterSettled(livePorts());
          if (!settled.settled) return { why: settled.why };
          const owner = ownerOfSlot(settled.view, slot);
          return owner && owner.port !== oldMasterPort ? { port: owner.port } : { why: `slot ${slot} still on 127.0.0.1:${oldMasterPort}` };
        },
        (result) => 'port' in result,
        timeoutMs,
      );
      if ('why' in check) {
        throw new Error(`redis cluster: no failover of 127.0.0.1:${oldMasterPort} (slots ${formatSlots(death.slots)}) within ${timeoutMs} ms: ${check.why}`);
      }
      return { port: check.port, ms: Date.now() - death.at };
    },
    stop: stopAll,
  };
}

/**
 * True when no node knows another or serves a slot (a new cluster to create);
 * false when all know each other (made earlier, started again from `dir`).
 * Anything between is refused: creating would fail or join two clusters.
 */
async function isEmptyCluster(ports: readonly number[]): Promise<boolean> {
  const infos = await Promise.all(ports.map(async (port) => ({ port, info: await clusterInfo(port, 2_000) })));
  const silent = infos.find(({ info }) => info === null);
  if (silent) throw new Error(`${WHAT}: 127.0.0.1:${silent.port} does not answer CLUSTER INFO`);
  const known = infos.map(({ info }) => Number(info!['cluster_known_nodes']));
  const assigned = infos.map(({ info }) => Number(info!['cluster_slots_assigned']));
  if (known.every((n) => n === 1) && assigned.every((n) => n === 0)) return true;
  if (known.every((n) => n === ports.length)) return false;
  const summary = infos.map(({ port }, i) => `127.0.0.1:${port} knows ${known[i]}`).join(', ');
  throw new Error(`${WHAT}: the nodes' folders hold parts of different clusters (${summary}); remove their nodes.conf files to start anew`);
}

/** Polls until the cluster of `ports` is settled; throws after `timeoutMs` with the last reason. */
async function waitSettled(ports: readonly number[], timeoutMs: number): Promise<RedisClusterNodeView[]> {
  const check = await pollUntil(() => checkClusterSettled(ports), (result) => result.settled, timeoutMs);
  if (!check.settled) throw new Error(`redis cluster on ${ports.join(', ')} not settled after ${timeoutMs} ms: ${check.why}`);
  return check.view;
}
