// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the ambient types of an untyped package must reach every project that compiles this file, which an import of a .d.ts cannot do
/// <reference path="./cluster-key-slot.d.ts" />
import calculateSlot from 'cluster-key-slot';
import { Cluster, type ChainableCommander, type ClusterNode, type ClusterOptions, type Redis } from 'ioredis';
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
  guardClusterNodes(cluster);
  return cluster;
}

/** Guards every node connection `cluster` makes ({@link guardRedisClient}), as a single client is guarded; also for a cluster's duplicate(). */
export function guardClusterNodes(cluster: Cluster): void {
  cluster.on('+node', (node: Redis) => guardRedisClient(node));
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

/**
 * A pipeline for commands whose keys may live on different shards: on one
 * Redis, a plain pipeline (one write, one round trip); on a cluster, where a
 * pipeline may reach only one shard, each command goes on its own and the
 * cluster client's auto-pipelining writes those of one turn to each shard
 * together. Either way `exec` resolves to one `[error, result]` per command,
 * in call order, and commands to one shard keep their order. Not atomic
 * (neither is a pipeline); a command that fails does not stop the others.
 */
export function shardedPipeline(redis: RedisClient): ChainableCommander {
  if (!isClusterClient(redis)) return redis.pipeline();
  const replies: Array<Promise<[Error | null, unknown]>> = [];
  const commands = redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const batch: ChainableCommander = new Proxy({} as ChainableCommander, {
    get(_target, name) {
      if (name === 'exec') return () => Promise.all(replies);
      if (typeof name !== 'string' || typeof commands[name] !== 'function') return undefined;
      return (...args: unknown[]) => {
        replies.push(commands[name]!.apply(redis, args).then((result): [null, unknown] => [null, result], (error: Error): [Error, undefined] => [error, undefined]));
        return batch;
      };
    },
  });
  return batch;
}

/**
 * `keys` in groups a multi-key script may take: at most `max` keys each, and
 * on a cluster every group within one slot (a script may not cross slots).
 * On one Redis that is `keys` in chunks of `max`; on a cluster, most groups
 * hold one key unless keys share a hash tag.
 */
export function slotGroups(redis: RedisClient, keys: readonly string[], max: number): string[][] {
  const groups: string[][] = [];
  if (!isClusterClient(redis)) {
    for (let i = 0; i < keys.length; i += max) groups.push(keys.slice(i, i + max));
    return groups;
  }
  const bySlot = new Map<number, string[]>();
  for (const key of keys) {
    const slot = calculateSlot(key);
    let group = bySlot.get(slot);
    if (!group || group.length === max) {
      group = [];
      bySlot.set(slot, group);
      groups.push(group);
    }
    group.push(key);
  }
  return groups;
}

/** The parts of an ioredis 6 Cluster that hold sockets besides its node pool (internals; ioredis is pinned in package.json). */
interface ClusterInternals {
  subscriber?: { getInstance(): Redis | null };
  shardedSubscribers?: { shardedSubscribers?: Map<string, { getInstance(): Redis | null }> };
}

/**
 * Every connection `cluster` holds now: its node pool, its classic
 * subscriber and its sharded subscribers. For a close that waits until each
 * socket is gone (a cluster's `quit` resolves when the nodes answered, before
 * their sockets, and drops its subscribers without waiting at all).
 */
export function clusterConnections(cluster: Cluster): Redis[] {
  const internals = cluster as unknown as ClusterInternals;
  const sharded = [...(internals.shardedSubscribers?.shardedSubscribers?.values() ?? [])].map((s) => s.getInstance());
  return [...cluster.nodes('all'), internals.subscriber?.getInstance() ?? null, ...sharded].filter((redis): redis is Redis => redis !== null);
}
