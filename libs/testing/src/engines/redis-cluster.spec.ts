import { Cluster, Redis } from 'ioredis';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../until';
import { readPidFile } from './pid-file';
import { startRedisCluster, type RedisClusterHandle } from './redis-cluster';
import { redisKeySlot } from './redis-key-slot';
import { redisPing } from './redis-status';
import { isAlive } from './stop-process';
import { makeTempDir, removeTempDir } from './temp-dir';

/** A plain connection to one node: reads what that node itself holds, with no cluster redirection. */
async function nodeClient(port: number): Promise<Redis> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  return redis;
}

describe('Redis Cluster engine', () => {
  let root: string;
  let cluster: RedisClusterHandle;
  let client: Cluster;
  let startMs: number;

  beforeAll(async () => {
    root = makeTempDir('spear-redis-cluster-');
    const started = Date.now();
    cluster = await startRedisCluster({ dir: join(root, 'six') });
    startMs = Date.now() - started;
    console.info(`redis cluster (3 masters, 3 replicas) ready in ${startMs} ms`);
    const [first] = cluster.nodes;
    client = new Cluster([{ host: '127.0.0.1', port: first!.port }], { clusterRetryStrategy: (times) => Math.min(100 * times, 1_000) });
  });

  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
    removeTempDir(root);
  });

  it('comes up with three masters serving every slot, one replica each', async () => {
    const masters = await cluster.masters();
    // On one host, redis-cli makes the first ports listed the masters.
    expect(masters).toEqual(cluster.nodes.slice(0, 3).map((node) => node.port).sort((a, b) => a - b));
    expect(cluster.nodes.map((node) => node.role)).toEqual(['master', 'master', 'master', 'replica', 'replica', 'replica']);
    const replicas = await Promise.all(masters.map((port) => cluster.replicasOf(port)));
    expect(replicas.map((ports) => ports.length)).toEqual([1, 1, 1]);
    expect(new Set(replicas.flat())).toEqual(new Set(cluster.nodes.slice(3).map((node) => node.port)));
    expect(cluster.seeds).toEqual(cluster.nodes.map((node) => `redis://127.0.0.1:${node.port}`));
    expect(startMs).toBeLessThan(30_000);
  });

  it('computes the slot of a key as the server does, hash tags included', async () => {
    const node = await nodeClient(cluster.nodes[0]!.port);
    try {
      for (const key of ['spear:inbox:{u1}', 'spear:route:{u1}', '{}empty-tag', 'no-tag', 'a{b}c{d}', '{user:42}:log', 'ü-ñ']) {
        expect(redisKeySlot(key), key).toBe(await node.cluster('KEYSLOT', key));
      }
    } finally {
      node.disconnect();
    }
  });

  it('a key written through the cluster client is held by the master masterOf names', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `engine-test:{user-${i}}:inbox`);
    for (const key of keys) await client.set(key, `value of ${key}`);
    const owners = new Set<number>();
    for (const key of keys) {
      const port = await cluster.masterOf(key);
      owners.add(port);
      const node = await nodeClient(port);
      try {
        expect(await node.get(key)).toBe(`value of ${key}`);
      } finally {
        node.disconnect();
      }
    }
    // Twenty tags land on more than one shard, so the check above read from several masters.
    expect(owners.size).toBeGreaterThan(1);
  });

  it('a replica takes over a killed master, with the data it held; the old master rejoins as its replica', async () => {
    const key = 'engine-test:{failover}';
    const victim = await cluster.masterOf(key);
    const [replica] = await cluster.replicasOf(victim);
    const onVictim = await nodeClient(victim);
    await onVictim.set(key, 'before the crash');
    // Acked by the replica before the crash, so the failover cannot lose it.
    expect(await onVictim.wait(1, 2_000)).toBe(1);
    onVictim.disconnect();

    await cluster.kill(victim);
    const failover = await cluster.waitForFailover(victim);
    console.info(`redis cluster failover of a killed master: ${failover.ms} ms (node timeout 1500 ms)`);
    expect(failover.port).toBe(replica);
    expect(await cluster.masterOf(key)).toBe(replica);
    expect(await cluster.masters()).not.toContain(victim);
    expect(failover.ms).toBeLessThan(15_000);
    // The cluster client follows the new owner of the slot.
    expect(await client.get(key)).toBe('before the crash');
    await client.set(key, 'after the failover');

    await cluster.restart(victim);
    // Gossip tells the old master who owns its slots now; under load that takes a few rounds.
    expect(await pollUntil(() => cluster.replicasOf(replica!), (replicas) => replicas.join() === String(victim), 15_000)).toEqual([victim]);
    expect(await cluster.masterOf(key)).toBe(replica);
    expect(await client.get(key)).toBe('after the failover');
  });

  it('refuses a bad shape before starting anything', async () => {
    await expect(startRedisCluster({ dir: join(root, 'bad'), masters: 2 })).rejects.toThrow(/masters must be an integer from 3/);
    await expect(startRedisCluster({ dir: join(root, 'bad'), ports: [1, 2, 3] })).rejects.toThrow(/6 ports needed, 3 given/);
    await expect(startRedisCluster({ dir: join(root, 'bad'), masters: 3, replicasPerMaster: 0, ports: [21001, 21001, 21002] })).rejects.toThrow(/listed twice/);
    await expect(cluster.kill(1)).rejects.toThrow(/no node on port 1/);
  });

  it('stop() ends every node and leaves no pid file', async () => {
    client.disconnect();
    const pids = cluster.nodes.map((node) => readPidFile(node.dir, 'redis'));
    expect(pids.every((pid) => pid !== null && isAlive(pid))).toBe(true);
    await cluster.stop();
    expect(pids.filter((pid) => isAlive(pid!))).toEqual([]);
    for (const node of cluster.nodes) {
      expect(await redisPing(node.port)).toBe(false);
      expect(readPidFile(node.dir, 'redis')).toBeNull();
    }
  });
});

describe('Redis Cluster engine started again from its folder', () => {
  let root: string;

  beforeAll(() => {
    root = makeTempDir('spear-redis-cluster-again-');
  });

  afterAll(() => removeTempDir(root));

  it('re-forms from its nodes.conf files with the same shards and, with persistence, the same data', async () => {
    const dir = join(root, 'three');
    const first = await startRedisCluster({ dir, replicasPerMaster: 0, persistence: true });
    const ports = first.nodes.map((node) => node.port);
    const busPorts = first.nodes.map((node) => node.busPort);
    const owner = await first.masterOf('engine-test:{kept}');
    const onOwner = await nodeClient(owner);
    await onOwner.set('engine-test:{kept}', 'yes');
    onOwner.disconnect();
    await first.stop();

    const second = await startRedisCluster({ dir, replicasPerMaster: 0, persistence: true, ports, busPorts });
    try {
      expect(await second.masterOf('engine-test:{kept}')).toBe(owner);
      const again = await nodeClient(owner);
      expect(await again.get('engine-test:{kept}')).toBe('yes');
      again.disconnect();
    } finally {
      await second.stop();
    }
  });
});
