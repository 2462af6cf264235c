import { mkdtempSync, rmSync } from 'node:fs';
import type { AppName } from '@spear/config';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  launchCluster,
  startRedis,
  startZooKeeper,
  writeClusterProfile,
  type ClusterHandle,
  type ClusterProfileOptions,
  type RedisHandle,
  type ZooKeeperHandle,
} from '@spear/testing';

/** Throwaway engines plus a whole cluster on free ports, for one test file. */
export interface TestBed {
  dir: string;
  zk: ZooKeeperHandle;
  redis: RedisHandle;
  profileDir: string;
  cluster: ClusterHandle;
  /** Stops the cluster, then the engines, and removes the folder. */
  close(): Promise<void>;
}

export async function startTestBed(options: Partial<Pick<ClusterProfileOptions, 'overrides' | 'spearNodes' | 'bus'>> & { apps?: AppName[]; spearNodeIds?: string[] } = {}): Promise<TestBed> {
  const dir = mkdtempSync(join(tmpdir(), 'spear-e2e-'));
  const [zk, redis] = await Promise.all([startZooKeeper({ dir: join(dir, 'zookeeper') }), startRedis({ dir: join(dir, 'redis') })]);
  const { apps, spearNodeIds, ...profileOptions } = options;
  const profileDir = await writeClusterProfile({ dir, engines: { zookeeper: zk.connectString, redisUrl: redis.url }, ...profileOptions });
  const cluster = await launchCluster({ profileDir, dir, apps, spearNodeIds });
  const bed: TestBed = {
    dir,
    zk,
    redis,
    profileDir,
    cluster,
    // Reads the fields at close time: a test may have replaced an engine (stopped and restarted it).
    async close() {
      await bed.cluster.stop();
      await Promise.all([bed.redis.stop(), bed.zk.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return bed;
}
