import { join, resolve } from 'node:path';
import { loadEngineSettings } from '@spear/config';
import {
  isEngineRunning,
  kafkaStatus,
  redisStatus,
  startKafka,
  startRedis,
  startZooKeeper,
  stopByPidFile,
  zooKeeperStatus,
  type EngineName,
  type EngineStatus,
} from '@spear/testing';

export const ENGINES: EngineName[] = ['zookeeper', 'redis', 'kafka'];

/** The loopback ports a profile expects its engines on. */
export interface EnginePorts {
  zookeeper: number;
  redis: number;
  kafka: number;
}

/** Reads the engine ports from a profile (first ZooKeeper server, Redis URL, first Kafka broker); no app section or secret is read. */
export function enginePorts(profile: string): { name: string; ports: EnginePorts } {
  const settings = loadEngineSettings({ profile });
  const port = (hostPort: string) => Number(hostPort.split(':').pop());
  return {
    name: settings.name,
    ports: {
      zookeeper: port(settings.zookeeperConnect.split(',')[0]!),
      redis: Number(new URL(settings.redisUrl).port || 6379),
      kafka: port(settings.kafkaBrokers?.[0] ?? '127.0.0.1:9092'),
    },
  };
}

/** Engines of a profile live under .run/<profile>/<engine>, outside git. */
export function engineDir(profileName: string, engine: EngineName): string {
  return resolve(__dirname, '../../.run', profileName, engine);
}

export async function engineStatus(engine: EngineName, ports: EnginePorts): Promise<EngineStatus> {
  if (engine === 'zookeeper') return zooKeeperStatus(ports.zookeeper);
  if (engine === 'redis') return redisStatus(ports.redis);
  return kafkaStatus(ports.kafka);
}

/**
 * Starts one engine detached (it outlives this command) unless it already
 * answers on its port. Returns whether this call started it. Redis keeps its
 * data in its dir across restarts (AOF, fsynced once a second) and is bounded
 * with noeviction: full, it refuses writes rather than drop nonces or logs.
 */
export async function ensureEngine(engine: EngineName, profileName: string, ports: EnginePorts): Promise<boolean> {
  if ((await engineStatus(engine, ports)).up) return false;
  const dir = engineDir(profileName, engine);
  const common = { dir, detached: true };
  if (engine === 'zookeeper') await startZooKeeper({ ...common, port: ports.zookeeper });
  else if (engine === 'redis') await startRedis({ ...common, port: ports.redis, persistence: true, appendfsync: 'everysec', maxmemory: '1gb' });
  else await startKafka({ ...common, port: ports.kafka, controllerPort: ports.kafka + 1 });
  return true;
}

/** Stops an engine this project started for the profile (found by its pid file). */
export async function stopEngine(engine: EngineName, profileName: string): Promise<boolean> {
  return stopByPidFile(engineDir(profileName, engine), engine);
}

export function engineRunningHere(engine: EngineName, profileName: string): boolean {
  return isEngineRunning(engineDir(profileName, engine), engine);
}

export const logHint = (profileName: string) => join('.run', profileName);
