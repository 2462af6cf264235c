import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { loadEngineSettings } from '@spear/config';
import {
  isEngineRunning,
  kafkaClusterStatus,
  kafkaStatus,
  redisClusterStatus,
  redisStatus,
  startKafka,
  startKafkaCluster,
  startRedis,
  startRedisCluster,
  startZooKeeper,
  startZooKeeperEnsemble,
  stopByPidFile,
  zooKeeperEnsembleStatus,
  zooKeeperStatus,
  type EngineName,
  type EngineStatus,
} from '@spear/testing';

export const ENGINES: EngineName[] = ['zookeeper', 'redis', 'kafka'];

/**
 * The loopback ports a profile expects its engines on: the first (or only)
 * server of each, and, for an engine the profile names several servers of,
 * all of them in `clusters` (a ZooKeeper ensemble, a Redis Cluster, a Kafka
 * cluster), which the tool then starts, checks and stops as one.
 */
export interface EnginePorts {
  zookeeper: number;
  redis: number;
  kafka: number;
  clusters: Partial<Record<EngineName, number[]>>;
}

/**
 * A clustered engine's other ports follow from its client ports, so a
 * profile names only those (profiles/README.md): a ZooKeeper server's quorum
 * port is its client port + 1000 and its election port + 2000, a Redis
 * node's cluster bus port + 1000, a Kafka node's controller port + 1000.
 */
export const CLUSTER_PORT_OFFSETS = { zookeeperPeer: 1000, zookeeperElection: 2000, redisBus: 1000, kafkaController: 1000 } as const;

/** Reads the engine ports from a profile (ZooKeeper servers, Redis url or cluster nodes, Kafka brokers); no app section or secret is read. */
export function enginePorts(profile: string): { name: string; ports: EnginePorts } {
  const settings = loadEngineSettings({ profile });
  const port = (hostPort: string) => Number(hostPort.split(':').pop());
  const zookeeper = settings.zookeeperConnect.split(',').map(port);
  // The seeds may repeat the url: each node once, in the profile's order (the first ones become masters).
  const redis = [...new Set((settings.redisClusterNodes ?? [settings.redisUrl]).map((url) => Number(new URL(url).port || 6379)))];
  const kafka = (settings.kafkaBrokers ?? ['127.0.0.1:9092']).map(port);
  const clusters: EnginePorts['clusters'] = {
    ...(zookeeper.length > 1 ? { zookeeper } : {}),
    ...(settings.redisClusterNodes ? { redis } : {}),
    ...(kafka.length > 1 ? { kafka } : {}),
  };
  return { name: settings.name, ports: { zookeeper: zookeeper[0]!, redis: redis[0]!, kafka: kafka[0]!, clusters } };
}

/** Engines of a profile live under .run/<profile>/<engine>, outside git (a cluster's servers in folders inside it). */
export function engineDir(profileName: string, engine: EngineName): string {
  return resolve(__dirname, '../../.run', profileName, engine);
}

/** "127.0.0.1:12181", or for a cluster "127.0.0.1:17001,17002,..." */
export function describePorts(engine: EngineName, ports: EnginePorts): string {
  return `127.0.0.1:${(ports.clusters[engine] ?? [ports[engine]]).join(',')}`;
}

export async function engineStatus(engine: EngineName, ports: EnginePorts): Promise<EngineStatus> {
  const cluster = ports.clusters[engine];
  if (engine === 'zookeeper') return cluster ? zooKeeperEnsembleStatus(cluster) : zooKeeperStatus(ports.zookeeper);
  if (engine === 'redis') return cluster ? redisClusterStatus(cluster) : redisStatus(ports.redis);
  return cluster ? kafkaClusterStatus(cluster.map((port) => `127.0.0.1:${port}`)) : kafkaStatus(ports.kafka);
}

/**
 * Starts one engine detached (it outlives this command) unless it already
 * answers on its port(s). Returns whether this call started it. Redis keeps its
 * data in its dir across restarts (AOF, fsynced once a second) and is bounded
 * with noeviction: full, it refuses writes rather than drop nonces or logs.
 * A cluster of which only some servers run is refused with what to do.
 */
export async function ensureEngine(engine: EngineName, profileName: string, ports: EnginePorts): Promise<boolean> {
  const status = await engineStatus(engine, ports);
  if (status.up) return false;
  const dir = engineDir(profileName, engine);
  const common = { dir, detached: true };
  const cluster = ports.clusters[engine];
  if (cluster) {
    const busy = (await Promise.all(cluster.map(async (port) => ((await listening(port)) ? [port] : [])))).flat();
    if (busy.length > 0) {
      throw new Error(`ports ${busy.join(', ')} answer but the cluster is not up (${status.detail}); stop it (npm run engines -- stop ${engine} --profile ${profileName}) and start again`);
    }
  }
  if (engine === 'zookeeper') {
    if (cluster) {
      const { zookeeperPeer, zookeeperElection } = CLUSTER_PORT_OFFSETS;
      await startZooKeeperEnsemble({ ...common, size: cluster.length, ports: cluster, peerPorts: cluster.map((p) => p + zookeeperPeer), electionPorts: cluster.map((p) => p + zookeeperElection) });
    } else await startZooKeeper({ ...common, port: ports.zookeeper });
  } else if (engine === 'redis') {
    if (cluster) await startRedisCluster({ ...common, ...redisClusterShape(cluster.length), ports: cluster, busPorts: cluster.map((p) => p + CLUSTER_PORT_OFFSETS.redisBus), persistence: true });
    else await startRedis({ ...common, port: ports.redis, persistence: true, appendfsync: 'everysec', maxmemory: '1gb' });
  } else if (cluster) {
    await startKafkaCluster({ ...common, brokers: cluster.length, ports: cluster, controllerPorts: cluster.map((p) => p + CLUSTER_PORT_OFFSETS.kafkaController) });
  } else await startKafka({ ...common, port: ports.kafka, controllerPort: ports.kafka + 1 });
  return true;
}

/**
 * How a profile's Redis Cluster nodes are split: six or more (an even count)
 * are half masters with one replica each, the first half the masters; three
 * to five nodes are all masters.
 */
export function redisClusterShape(nodes: number): { masters: number; replicasPerMaster: number } {
  if (nodes >= 6 && nodes % 2 === 0) return { masters: nodes / 2, replicasPerMaster: 1 };
  if (nodes >= 3 && nodes <= 5) return { masters: nodes, replicasPerMaster: 0 };
  throw new Error(`a Redis Cluster of ${nodes} nodes cannot be split: list 3 to 5 (all masters) or an even number from 6 (half of them masters, one replica each)`);
}

/**
 * Stops what this project started for the profile (found by pid files): the
 * engine's own, or every server of its cluster (at once: Kafka's nodes each
 * wait for the quorum a few seconds). Returns whether anything was stopped.
 */
export async function stopEngine(engine: EngineName, profileName: string): Promise<boolean> {
  const stopped = await Promise.all(engineDirs(profileName, engine).map((dir) => stopByPidFile(dir, engine)));
  return stopped.some(Boolean);
}

export function engineRunningHere(engine: EngineName, profileName: string): boolean {
  return engineDirs(profileName, engine).some((dir) => isEngineRunning(dir, engine));
}

/** The engine's folder and, for a cluster, each server's folder inside it. */
function engineDirs(profileName: string, engine: EngineName): string[] {
  const dir = engineDir(profileName, engine);
  let inside: string[] = [];
  try {
    inside = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => join(dir, entry.name));
  } catch {
    // Never started: no folder.
  }
  return [dir, ...inside];
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const logHint = (profileName: string) => join('.run', profileName);
