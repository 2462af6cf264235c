import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deepMerge, readRawProfile, validateConfig, APP_NAMES } from '@spear/config';
import { freePort } from '../engines/free-port';

/** Where the engines of a test cluster listen. */
export interface EngineAddresses {
  zookeeper: string;
  redisUrl: string;
  /** With a Redis Cluster: its other nodes (redisUrl is one of them); the profile then says `redis.cluster: true`. */
  redisSeeds?: readonly string[];
  kafkaBrokers?: string[];
}

export interface ClusterProfileOptions {
  /** The profile the test cluster derives from (default `local`). */
  base?: string;
  dir: string;
  engines: EngineAddresses;
  bus?: 'redis' | 'kafka';
  /** How many spear nodes (default 2). */
  spearNodes?: number;
  /** Extra profile fields merged last (e.g. shorter session timeouts). */
  overrides?: Record<string, unknown>;
  /**
   * Validate the profile with this checkout's schemas before anything starts
   * (default true). False for a profile an earlier build will run (a
   * benchmark's baseline): its own code validates it at boot, and this
   * checkout's schema may differ.
   */
  validate?: boolean;
}

/**
 * Writes a profile folder for a throwaway cluster: the base profile pointed at
 * the given engines, a ZooKeeper root of its own (so clusters can share one
 * ZooKeeper), and free loopback ports for every listener. Validated for every
 * app before anything starts.
 */
export async function writeClusterProfile(options: ClusterProfileOptions): Promise<string> {
  const { raw } = readRawProfile({ profile: options.base ?? 'local', env: { SPEAR_PROFILES_DIR: process.env.SPEAR_PROFILES_DIR ?? '' } });
  // The base's app backends (local: the chat example's route and connect hook) are not started here: a test names its own.
  if (raw.spear && typeof raw.spear === 'object') {
    delete (raw.spear as Record<string, unknown>).routes;
    delete (raw.spear as Record<string, unknown>).hooks;
  }
  const id = randomBytes(4).toString('hex');
  const http = async () => ({ host: '127.0.0.1', port: await freePort() });
  const nodes = [];
  for (let i = 1; i <= (options.spearNodes ?? 2); i++) nodes.push({ id: `spear-${i}`, host: '127.0.0.1', port: await freePort(), weight: 1 });
  const generated = {
    name: `${String(raw.name)}-test`,
    zookeeper: { connect: options.engines.zookeeper, root: `/spear-test/${id}` },
    redis: { url: options.engines.redisUrl, ...(options.engines.redisSeeds ? { cluster: true, seeds: [...options.engines.redisSeeds] } : {}) },
    ...(options.engines.kafkaBrokers ? { kafka: { brokers: options.engines.kafkaBrokers } } : {}),
    ...(options.bus ? { bus: options.bus } : {}),
    ticket: { http: await http() },
    spear: { nodes },
    idgen: { http: await http(), rpc: await http() },
    stat: { http: await http(), rpc: await http() },
    minions: { http: await http() },
  };
  const profile = deepMerge(deepMerge(raw, generated), options.overrides ?? {});
  // spear.nodes is replaced whole, not merged per index.
  (profile.spear as Record<string, unknown>).nodes = nodes;
  if (options.validate ?? true) for (const app of APP_NAMES) validateConfig(app, profile, 'generated test profile');
  const profileDir = join(options.dir, 'profile');
  mkdirSync(profileDir, { recursive: true });
  writeFileSync(join(profileDir, 'profile.json'), JSON.stringify(profile, null, 2));
  return profileDir;
}
