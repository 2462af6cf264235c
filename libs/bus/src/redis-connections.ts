import { Redis, type Cluster } from 'ioredis';
import { errorMessage, type BusLogger } from './logger';
import { clusterConnections, createClusterClient, isClusterClient, type RedisClient } from './redis-client';
import { guardRedisClient } from './redis-client-guard';
import { batchTurns } from './turn-batching';
import { redisAccessProblem, type RedisConnectionOptions, type RedisEndpoint } from './redis-security';

/** Shared by both connections: reconnect quickly and forever while Redis is away. */
const reconnecting = {
  lazyConnect: true,
  connectTimeout: 2_000,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
} as const;

/**
 * The publishing connection. Commands fail instead of waiting for Redis:
 * no offline queue (a publish while disconnected rejects at once), an
 * in-flight publish rejects when the connection drops rather than being
 * resent late after a reconnect (that could also duplicate it), and
 * `timeoutMs` bounds a publish to a Redis that accepts but does not answer.
 * Both connections authenticate and use TLS as `connection` says (redisConnectionOptions).
 * On a Redis Cluster (`endpoint.cluster`) it is a cluster client: each
 * publish goes to the shard owning its channel's slot, the publishes of one
 * turn to one shard in one write (each node connection corked per turn,
 * batchTurns; not auto-pipelining, whose per-turn pipelines fail whole when
 * the slot map changes under them), and a publish to a shard in failover is
 * retried by the client until the replica took over or `timeoutMs` passed.
 */
export function createPublisher(endpoint: RedisEndpoint, connection: RedisConnectionOptions, timeoutMs: number, logger: BusLogger): RedisClient {
  const node = { connectionName: 'spear-bus-pub', autoResendUnfulfilledCommands: false, commandTimeout: timeoutMs, connectTimeout: reconnecting.connectTimeout };
  const redis: RedisClient = endpoint.cluster
    ? createClusterClient(endpoint, connection, { lazyConnect: true, enableOfflineQueue: false, enableAutoPipelining: false, clusterRetryStrategy: reconnecting.retryStrategy }, node)
    : guarded(new Redis(endpoint.url, { ...connection, ...reconnecting, ...node, enableOfflineQueue: false, maxRetriesPerRequest: 0 }));
  if (isClusterClient(redis)) redis.on('+node', batchTurns);
  logOutages(redis, 'publisher', logger);
  return redis;
}

/**
 * The subscribing connection. On one Redis its subscriptions are restored by
 * the bus on every `ready` (not by ioredis's `autoResubscribe`), because only
 * the bus knows which groups were joined or left while Redis was away. On a
 * Redis Cluster it is a cluster client with one sharded subscriber per master
 * (ioredis's `shardedSubscribers`): ioredis keeps the channels per slot and
 * subscribes them again on the new owner when slots move or a replica takes
 * over (the bus learns of it by `subscribersReady`, see RedisBus). A
 * subscriber sends no command that a MOVED could answer, so it reads the slot
 * map every SLOT_MAP_REFRESH_MS: a slot moved by resharding is found that fast.
 */
export function createSubscriber(endpoint: RedisEndpoint, connection: RedisConnectionOptions, timeoutMs: number, logger: BusLogger): RedisClient {
  const node = { connectionName: 'spear-bus-sub', autoResendUnfulfilledCommands: false, commandTimeout: timeoutMs, connectTimeout: reconnecting.connectTimeout };
  const redis: RedisClient = endpoint.cluster
    ? createClusterClient(endpoint, connection, { lazyConnect: true, enableOfflineQueue: false, shardedSubscribers: true, slotsRefreshInterval: SLOT_MAP_REFRESH_MS, clusterRetryStrategy: reconnecting.retryStrategy }, node)
    : guarded(new Redis(endpoint.url, { ...connection, ...reconnecting, ...node, enableOfflineQueue: false, maxRetriesPerRequest: 0, autoResubscribe: false }));
  logOutages(redis, 'subscriber', logger);
  return redis;
}

/** How often a cluster subscriber reads the slot map (CLUSTER SLOTS: one small command per node process). */
const SLOT_MAP_REFRESH_MS = 2_000;

function guarded(redis: Redis): Redis {
  guardRedisClient(redis);
  return redis;
}

/**
 * Connects `redis` (made with lazyConnect). Rejects with why the connection
 * failed: ioredis's connect() only says "Connection is closed.", while the
 * reason (a refused password, an untrusted certificate) went to its `error`
 * event just before.
 */
export async function connectExplained(redis: RedisClient): Promise<void> {
  let reason: unknown;
  const remember = (error: unknown): void => {
    reason = error;
  };
  redis.on('error', remember);
  try {
    await redis.connect();
  } catch (error) {
    const why = reason ?? error;
    throw new Error(redisAccessProblem(why) ?? errorMessage(why), { cause: why });
  } finally {
    redis.off('error', remember);
  }
}

/** One warning per outage and one info when it ends, instead of an error per retry. */
function logOutages(redis: RedisClient, role: string, logger: BusLogger): void {
  let down = false;
  redis.on('error', (error: unknown) => {
    if (!down) logger.warn({ redis: role, err: errorMessage(error) }, 'bus: redis connection lost');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ redis: role }, 'bus: redis connection restored');
    down = false;
  });
}

/**
 * Closes a connection and resolves once its socket is gone, so no handle
 * outlives the bus. QUIT when connected (lets queued replies arrive first),
 * otherwise drop the socket and stop reconnecting. Never waits longer than
 * `QUIT_WAIT_MS` for Redis.
 */
export async function closeConnection(redis: RedisClient): Promise<void> {
  if (isClusterClient(redis)) return closeCluster(redis);
  if (redis.status === 'end') return;
  if (redis.status === 'reconnecting') {
    // Between attempts there is no socket: disconnect() cancels the next attempt and ioredis emits no 'end'.
    redis.disconnect();
    return;
  }
  const ended = waitForEnd(redis);
  if (redis.status === 'ready') {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
  if (!(await ended)) redis.disconnect();
}

/** A cluster client: QUIT through it, then each of its connections closed as above, so none outlives the bus. */
async function closeCluster(cluster: Cluster): Promise<void> {
  const connections = clusterConnections(cluster);
  if (cluster.status === 'ready') await cluster.quit().catch(() => cluster.disconnect());
  else cluster.disconnect();
  await Promise.all(connections.map((connection) => closeConnection(connection)));
}

const QUIT_WAIT_MS = 2_000;

/** True once the connection emitted 'end', false if it did not within `QUIT_WAIT_MS`. */
function waitForEnd(redis: Redis): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('end', onEnd);
      resolve(false);
    }, QUIT_WAIT_MS);
    const onEnd = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('end', onEnd);
  });
}
