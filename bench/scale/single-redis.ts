/**
 * The scale bench's engines on one Redis and one ZooKeeper (libs/testing):
 * what every bench of this machine runs on today.
 */
import Redis from 'ioredis';
import { join } from 'node:path';
import { startRedis, startZooKeeper, type RedisHandle, type ZooKeeperHandle } from '@spear/testing';
import type { ScaleEngines } from './engines';

export async function startSingleRedis(dir: string): Promise<ScaleEngines> {
  let zk: ZooKeeperHandle | undefined;
  let redis: RedisHandle | undefined;
  let admin: Redis | undefined;
  const stop = async () => {
    admin?.disconnect();
    await redis?.stop();
    await zk?.stop();
  };
  try {
    zk = await startZooKeeper({ dir: join(dir, 'zookeeper') });
    redis = await startRedis({ dir: join(dir, 'redis') });
    const client = (admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 }));
    await client.connect();
    return {
      kind: 'single-redis',
      engines: { zookeeper: zk.connectString, redisUrl: redis.url },
      pids: { redis: redis.pid, zookeeper: zk.pid },
      redisUrls: [redis.url],
      reset: async () => {
        await client.flushall();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
