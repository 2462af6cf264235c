/**
 * The scale bench's engines on the cluster profile of issue #20: a ZooKeeper
 * ensemble of three and a Redis Cluster of three masters with a replica each
 * (libs/testing), so Spear runs with `redis.cluster` and `replicated`
 * durability as it would in production, and B0/B0s on an ioredis cluster client.
 */
import { Cluster } from 'ioredis';
import { join } from 'node:path';
import { startRedisCluster, startZooKeeperEnsemble, type RedisClusterHandle, type ZooKeeperEnsembleHandle } from '@spear/testing';
import type { ScaleEngines } from './engines';

export async function startClusteredEngines(dir: string): Promise<ScaleEngines> {
  let zk: ZooKeeperEnsembleHandle | undefined;
  let redis: RedisClusterHandle | undefined;
  let admin: Cluster | undefined;
  const stop = async () => {
    admin?.disconnect();
    await Promise.all([redis?.stop(), zk?.stop()]);
  };
  try {
    [zk, redis] = await Promise.all([startZooKeeperEnsemble({ dir: join(dir, 'zookeeper') }), startRedisCluster({ dir: join(dir, 'redis') })]);
    const client = (admin = new Cluster(redis.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })), { lazyConnect: true, redisOptions: { maxRetriesPerRequest: 1 } }));
    await client.connect();
    const [url, ...seeds] = redis.seeds;
    const pids: Record<string, number> = {};
    redis.nodes.forEach((node, i) => (pids[`redis-${i + 1}`] = redis!.pidOf(node.port)!));
    zk.servers.forEach((server) => (pids[`zookeeper-${server.id}`] = zk!.pidOf(server.id)!));
    return {
      kind: 'cluster',
      engines: { zookeeper: zk.connectString, redisUrl: url!, redisSeeds: seeds },
      pids,
      redisUrls: redis.seeds,
      reset: async () => {
        // FLUSHALL is per node: every master, and the replicas follow.
        await Promise.all(client.nodes('master').map((node) => node.flushall()));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
