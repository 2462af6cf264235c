import type { Logger } from 'pino';
import Redis from 'ioredis';
import { batchTurns, boundWaitWhileDown, createClusterClient, guardRedisClient, redisAccessProblem, redisConnectionOptions, type RedisClient, type RedisConnectionOptions, type RedisEndpoint } from '@spear/bus';
import { usesRedis, type AppConfig, type AppName, type RedisAppName } from '@spear/config';
import type { HealthCheck, HealthChecks } from './health';

/** Why Redis refused a client made by {@link createRedis} (its password, its TLS), until it is ready again: for its health check. */
const accessProblems = new WeakMap<RedisClient, string>();

/**
 * A Redis client that keeps reconnecting while Redis is away and fails
 * commands fast instead of queueing them forever (callers get a clear error).
 * It authenticates and uses TLS as `endpoint` (the `redis` config section)
 * says; throws at once, naming the field, when the section cannot be used
 * (a username without password, an unreadable CA file). Neither the password
 * nor the url's credentials reach a log line or an error.
 * With `endpoint.cluster` it is a Redis Cluster client (same commands; see
 * libs/bus RedisClient for what one call may touch there).
 */
export function createRedis(endpoint: RedisEndpoint, logger: Logger, name = 'main'): RedisClient {
  const connection = redisConnectionOptions(endpoint);
  const redis: RedisClient = endpoint.cluster ? createClusterRedis(endpoint, connection) : createSingleRedis(endpoint, connection);
  let down = false;
  redis.on('error', (error) => {
    const problem = redisAccessProblem(error);
    if (problem) accessProblems.set(redis, problem);
    else accessProblems.delete(redis);
    if (!down) logger.warn({ redis: name, err: error.message }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    accessProblems.delete(redis);
    if (down) logger.info({ redis: name }, 'redis connection restored');
    down = false;
  });
  return redis;
}

/**
 * The main Redis client of an app that uses Redis (REDIS_APPS), its `redis`
 * check added to `health`; undefined for the others, which then have neither
 * a client nor a check that a Redis outage could fail.
 */
export function connectRedisIfUsed<A extends AppName>(app: A, config: AppConfig<A>, logger: Logger, health: HealthChecks): RedisClient | undefined {
  if (!usesRedis(app)) return undefined;
  // usesRedis(app) proves A is a Redis app; TypeScript does not narrow a type parameter from a value.
  const redis = createRedis((config as unknown as AppConfig<RedisAppName>).redis, logger);
  health.add('redis', redisHealth(redis));
  return redis;
}

/**
 * Healthy when the client is connected and PING answers. Not connected
 * because Redis refused its credentials or TLS failed, the message says so
 * (redisAccessProblem: no secret, no address; /healthz is public).
 */
export function redisHealth(redis: RedisClient): HealthCheck {
  return async () => {
    if (redis.status !== 'ready') {
      const problem = accessProblems.get(redis);
      throw new Error(`not connected (${redis.status})${problem ? `: ${problem}` : ''}`);
    }
    const pong = await redis.ping();
    if (pong !== 'PONG') throw new Error(`unexpected PING answer ${pong}`);
  };
}

const retryStrategy = (attempt: number): number => Math.min(attempt * 100, 1000);

/**
 * A busy service connection (replies outstanding, a write less than 1 ms ago)
 * writes to Redis at most once a millisecond (batchTurns's busyWindowMs);
 * otherwise at the end of its turn. Redis pays
 * a socket read and a reply write per batch, ~20 times a command's own cost
 * inside a batch: steady 1:1 at 3,000 msgs/s, two runs each, Redis CPU 0.19
 * -> 0.17, its reads per message 1.13 -> 0.82-0.97, nodes 0.73-0.75 ->
 * 0.68-0.70, for 0.3-0.6 ms more p50 (docs/BENCHMARKS.md).
 */
const BUSY_WRITE_WINDOW_MS = 1;

function createSingleRedis(endpoint: RedisEndpoint, connection: RedisConnectionOptions): RedisClient {
  // Commands issued in the same event-loop turn share one write (batchTurns), without auto-pipelining's objects;
  // while busy, the turns of a millisecond do.
  const redis = batchTurns(
    new Redis(endpoint.url, {
      ...connection,
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      connectTimeout: 2000,
      retryStrategy,
      enableAutoPipelining: false,
    }),
    { busyWindowMs: BUSY_WRITE_WINDOW_MS },
  );
  guardRedisClient(redis);
  return redis;
}

/**
 * A cluster client: commands of one turn to one shard leave in one write
 * (each node connection corked per turn, batchTurns: auto-pipelining would
 * batch the same way with a Pipeline object per shard and turn). Commands wait in the
 * offline queue while the cluster (re)connects, for at most
 * CLUSTER_DOWN_WAIT_MS, and a slot in failover is retried until its replica
 * took over.
 */
function createClusterRedis(endpoint: RedisEndpoint, connection: RedisConnectionOptions): RedisClient {
  const cluster = createClusterClient(
    endpoint,
    connection,
    { lazyConnect: false, enableOfflineQueue: true, enableAutoPipelining: false, clusterRetryStrategy: retryStrategy },
    { maxRetriesPerRequest: 1, connectTimeout: 2000 },
  );
  cluster.on('+node', (node: Redis) => batchTurns(node, { busyWindowMs: BUSY_WRITE_WINDOW_MS }));
  // With every node down a command would wait in the offline queue for good: a send must fail (internal), not hang.
  boundWaitWhileDown(cluster, CLUSTER_DOWN_WAIT_MS);
  return cluster;
}

/** How long a command waits for a cluster that is not ready: a reconnect, not an outage. */
const CLUSTER_DOWN_WAIT_MS = 2_000;
