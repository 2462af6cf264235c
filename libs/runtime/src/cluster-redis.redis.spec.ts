import { Redis, type Cluster } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir, startRedisCluster, type RedisClusterHandle } from '@spear/testing';
import { createRedis } from './redis';

/** Socket reads a Redis node made so far (each client write arrives as at least one). */
async function readsProcessed(node: Redis): Promise<number> {
  return Number((await node.info('stats')).match(/total_reads_processed:(\d+)/)![1]);
}

describe("the services' Redis Cluster client (createRedis with cluster)", () => {
  let dir: string;
  let cluster: RedisClusterHandle;
  let client: Cluster;

  beforeAll(async () => {
    dir = makeTempDir('spear-cluster-redis-');
    cluster = await startRedisCluster({ dir, replicasPerMaster: 0 });
    const [url, ...seeds] = cluster.seeds;
    client = createRedis({ url: url!, seeds, cluster: true }, pino({ level: 'silent' })) as Cluster;
    await client.ping();
  }, 60_000);
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
    removeTempDir(dir);
  });

  it("sends one turn's commands to a shard in one write (its node socket corked, no auto-pipelining), answered in call order", async () => {
    const key = 'turn:{counter}';
    const owner = new Redis(await cluster.masterOf(key), '127.0.0.1');
    try {
      await client.get(key); // the client's connection to that shard is up before the turn
      const before = await readsProcessed(owner);
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => client.incr(key).then((n) => [i, n])));
      // A few reads for the batch and the INFOs (a slot-map refresh may add one); a command per write would be 201 or more.
      expect((await readsProcessed(owner)) - before).toBeLessThanOrEqual(8);
      expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => [i, i + 1]));
    } finally {
      owner.disconnect();
    }
  });

  it("answers a turn's commands to every shard, each in order, and the next turn's separately", async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `turn:{spread-${i}}`);
    const owners = new Set(await Promise.all(keys.map((key) => cluster.masterOf(key))));
    expect(owners.size).toBeGreaterThan(1);
    expect(await Promise.all(keys.map((key, i) => client.set(key, String(i)).then(() => client.get(key))))).toEqual(keys.map((_, i) => String(i)));
    for (let i = 0; i < 20; i++) await client.set('turn:{last}', String(i));
    expect(await client.get('turn:{last}')).toBe('19');
  });
});
