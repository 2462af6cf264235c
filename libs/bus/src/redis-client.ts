/// <reference path="./cluster-key-slot.d.ts" />
import calculateSlot from 'cluster-key-slot';
import { Cluster, type ClusterNode, type ClusterOptions, type Redis } from 'ioredis';
import { guardRedisClient } from './redis-client-guard';
import type { RedisConnectionOptions, RedisEndpoint } from './redis-security';

/**
 * A Redis client of Spear: one server (`Redis`) or a Redis Cluster
 * (`Cluster`, which follows the slots, MOVED and failovers itself). Both
 * speak the same commands; what differs is what one call may touch: on a
 * cluster every script, MULTI and pipeline must stay within one slot (a
 * pipeline: within one shard). Stores keep their keys of one call under one
 * hash tag (libs/catalog RedisKeys) and split what cannot be (see
 * {@link isClusterClient} users).
 */
export type RedisClient = Redis | Cluster;

/** True for a Redis Cluster client. */
export function isClusterClient(redis: RedisClient): redis is Cluster {
  return redis.isCluster;
}

/** Where a cluster client starts from: the endpoint's url and its seeds, as host and port (their scheme is the endpoint's TLS). */
export function clusterStartNodes(endpoint: Pick<RedisEndpoint, 'url' | 'seeds'>): ClusterNode[] {
  return [endpoint.url, ...(endpoint.seeds ?? [])].map((url) => {
    const { hostname, port } = new URL(url);
    return { host: hostname, port: port === '' ? 6379 : Number(port) };
  });
}

/** The per-node options of a cluster client: ioredis's Redis options except those the cluster decides itself. */
export type ClusterNodeOptions = NonNullable<ClusterOptions['redisOptions']>;

/**
 * A cluster client on `endpoint`'s nodes, every node connection guarded as a
 * single client is ({@link guardRedisClient}: no password on an error, no
 * uncaught socket error). `connection` is the user, password and TLS
 * (redisConnectionOptions), given to every node. Connections that ioredis
 * makes for sharded subscriptions are its own and are not guarded; the
 * cluster reports their errors as `nodeError`, never with AUTH arguments of ours.
 */
export function createClusterClient(
  endpoint: Pick<RedisEndpoint, 'url' | 'seeds'>,
  connection: RedisConnectionOptions,
  options: Omit<ClusterOptions, 'redisOptions'>,
  nodeOptions: ClusterNodeOptions,
): Cluster {
  const cluster = new Cluster(clusterStartNodes(endpoint), {
    // A failover takes the cluster-node-timeout plus an election: retry a moved or down slot for a few seconds, not 16 times at once.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    slotsRefreshTimeout: 2_000,
    ...options,
    redisOptions: { ...connection, ...nodeOptions },
  });
  cluster.on('+node', (node: Redis) => guardRedisClient(node));
  return cluster;
}

/**
 * The connection of `cluster` to the master that owns `key`'s slot, as the
 * client's slot table says now; undefined while the table has no owner for
 * it (not yet connected, or mid-failover). Commands the cluster routes for
 * `key` go over this same connection, which is what a WAIT after them needs.
 */
export function masterConnectionFor(cluster: Cluster, key: string): Redis | undefined {
  const owner = cluster.slots[calculateSlot(key)]?.[0];
  if (owner === undefined) return undefined;
  return cluster.nodes('master').find((node) => `${node.options.host}:${node.options.port}` === owner);
}
