/**
 * The engines a scale run starts once and every system under test shares
 * (one system at a time). Which engines is a parameter (`--engines`), so a
 * Redis Cluster can be added beside the single Redis without touching the
 * bench: an implementation only has to honour ScaleEngines.
 */
import type { Engines } from '../compare/systems';
import { startClusteredEngines } from './clustered-engines';
import { startSingleRedis } from './single-redis';

/** `single-redis`: one Redis, one ZooKeeper. `cluster`: the cluster profile's ZooKeeper ensemble and Redis Cluster (clustered-engines.ts). */
export const ENGINE_KINDS = ['single-redis', 'cluster'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

/**
 * Running engines. Guarantee: `engines` answer until stop(); reset() returns
 * once Redis holds no keys, so each system starts on an empty store whatever
 * the one before it wrote; stop() stops every engine process it started,
 * also after a failed start.
 */
export interface ScaleEngines {
  readonly kind: EngineKind;
  /** Where the systems find them (ZooKeeper for Spear, Redis for all; `redisSeeds` on a cluster). */
  readonly engines: Engines;
  /** Engine processes whose CPU every step records, by name; Redis processes are named `redis` or `redis-<n>`. */
  readonly pids: Record<string, number>;
  /** Every Redis server process (masters and replicas), for counters read from each (INFO stats). */
  readonly redisUrls: readonly string[];
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export function parseEngineKind(value: string | undefined): EngineKind {
  const kind = value ?? 'single-redis';
  if (!(ENGINE_KINDS as readonly string[]).includes(kind)) throw new Error(`--engines ${kind}: expected one of ${ENGINE_KINDS.join(', ')}`);
  return kind as EngineKind;
}

/** Starts the engines of `kind` under `dir`. */
export function startScaleEngines(kind: EngineKind, dir: string): Promise<ScaleEngines> {
  switch (kind) {
    case 'single-redis':
      return startSingleRedis(dir);
    case 'cluster':
      return startClusteredEngines(dir);
  }
}
