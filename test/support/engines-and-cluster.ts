import { mkdtempSync, rmSync } from 'node:fs';
import { afterEach } from 'vitest';
import type { AppName } from '@spear/config';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatLogTails,
  launchCluster,
  startKafka,
  startRedis,
  startZooKeeper,
  writeClusterProfile,
  type ClusterHandle,
  type ClusterProfileOptions,
  type KafkaHandle,
  type RedisHandle,
  type ZooKeeperHandle,
} from '@spear/testing';

/** Throwaway engines plus a whole cluster on free ports, for one test file. */
export interface TestBed {
  dir: string;
  zk: ZooKeeperHandle;
  redis: RedisHandle;
  /** Only when the bed runs with bus = kafka. */
  kafka?: KafkaHandle;
  profileDir: string;
  cluster: ClusterHandle;
  /** Stops the cluster, then the engines, and removes the folder. */
  close(): Promise<void>;
  /** The last lines of every service's log: printed when a test fails, since close() removes them. */
  logTails(lines?: number): string;
}

export async function startTestBed(options: Partial<Pick<ClusterProfileOptions, 'overrides' | 'spearNodes' | 'bus'>> & { apps?: AppName[]; spearNodeIds?: string[]; redisPersistence?: boolean; spearOpenFiles?: number } = {}): Promise<TestBed> {
  const dir = mkdtempSync(join(tmpdir(), 'spear-e2e-'));
  const [zk, redis, kafka] = await Promise.all([
    startZooKeeper({ dir: join(dir, 'zookeeper') }),
    startRedis({ dir: join(dir, 'redis'), persistence: options.redisPersistence }),
    options.bus === 'kafka' ? startKafka({ dir: join(dir, 'kafka') }) : undefined,
  ]);
  const { apps, spearNodeIds, spearOpenFiles, redisPersistence: _persistence, ...profileOptions } = options;
  const engines = { zookeeper: zk.connectString, redisUrl: redis.url, ...(kafka ? { kafkaBrokers: kafka.brokers } : {}) };
  const profileDir = await writeClusterProfile({ dir, engines, ...profileOptions });
  const cluster = await launchCluster({ profileDir, dir, apps, spearNodeIds, spearOpenFiles });
  const bed: TestBed = {
    dir,
    zk,
    redis,
    kafka,
    profileDir,
    cluster,
    // Reads the fields at close time: a test may have replaced an engine (stopped and restarted it).
    async close() {
      await bed.cluster.stop();
      await Promise.all([bed.redis.stop(), bed.zk.stop(), bed.kafka?.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
    logTails(lines = 30) {
      return formatLogTails(bed.cluster.services.map((s) => s.logFile), lines);
    },
  };
  return bed;
}

/** The buses the delivery suites run over, each suite once per bus: SPEAR_E2E_BUSES (default both). */
export const E2E_BUSES = (process.env.SPEAR_E2E_BUSES ?? 'redis,kafka').split(',').map((b) => b.trim()) as Array<'redis' | 'kafka'>;

/** Prints the services' last log lines when a test fails: the bed's folder is gone by the time anyone looks. */
export function printLogsOnFailure(bed: () => TestBed | undefined): void {
  afterEach((context) => {
    const current = bed();
    if (context.task.result?.state === 'fail' && current) console.error(`logs after "${context.task.name}" failed:\n${current.logTails()}`);
  });
}
