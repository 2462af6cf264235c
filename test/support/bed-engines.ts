import { Cluster, Redis } from 'ioredis';
import { join } from 'node:path';
import { startRedis, startRedisCluster } from '@spear/testing';
import type { TestBed } from './engines-and-cluster';

/**
 * Engine-neutral access to a bed's engines, so one test file runs on the
 * single engines and on the cluster profile's (E2E_ENGINES) alike: the
 * registry's connect string, a plain Redis client, keys and memory over every
 * master, and a whole-store Redis outage.
 */

/** The ZooKeeper connect string: the one server, or every server of the ensemble. */
export function zookeeperConnectString(bed: TestBed): string {
  return bed.clustered ? bed.clustered.zookeeper.connectString : bed.zk.connectString;
}

/** A plain client on the bed's Redis: a cluster client following the slots on the cluster profile. Disconnect it when done. */
export function openRedis(bed: TestBed): Redis | Cluster {
  if (!bed.clustered) return new Redis(bed.redis.url);
  const [first, ...rest] = bed.clustered.redis.nodes;
  return new Cluster([first!, ...rest].map((node) => ({ host: '127.0.0.1', port: node.port })));
}

/** The masters to ask for whole-store facts: the client itself on one Redis, every master of a cluster. */
async function masters(client: Redis | Cluster): Promise<Redis[]> {
  if (!(client instanceof Cluster)) return [client];
  // Its node list is empty until it has read the slot map.
  if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
  return client.nodes('master');
}

/** Every key matching `pattern`, wherever its slot is (KEYS: for tests only). */
export async function keysEverywhere(client: Redis | Cluster, pattern: string): Promise<string[]> {
  return (await Promise.all((await masters(client)).map((node) => node.keys(pattern)))).flat();
}

/** used_memory summed over every master, in bytes. */
export async function usedMemory(client: Redis | Cluster): Promise<number> {
  const infos = await Promise.all((await masters(client)).map((node) => node.info('memory')));
  return infos.reduce((sum, info) => sum + Number(/used_memory:(\d+)/.exec(info)![1]), 0);
}

/**
 * Takes the bed's whole Redis down (the server, or every node of the cluster)
 * and returns what brings it back on the same ports: one server empty as
 * after a crash without persistence, the cluster re-formed from its nodes.conf
 * files with the same shards.
 */
export async function stopRedis(bed: TestBed): Promise<() => Promise<void>> {
  const dir = join(bed.dir, 'redis');
  const { clustered } = bed;
  if (!clustered) {
    const { port } = bed.redis;
    await bed.redis.stop();
    return async () => void (bed.redis = await startRedis({ dir, port }));
  }
  const ports = clustered.redis.nodes.map((node) => node.port);
  const busPorts = clustered.redis.nodes.map((node) => node.busPort);
  await clustered.redis.stop();
  return async () => void (clustered.redis = await startRedisCluster({ dir, ports, busPorts }));
}
