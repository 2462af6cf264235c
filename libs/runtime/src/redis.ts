import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { usesRedis, type AppConfig, type AppName, type RedisAppName } from '@spear/config';
import type { HealthCheck, HealthChecks } from './health';
import { TurnBatchedRedis } from './turn-batched-redis';

/**
 * A Redis client that keeps reconnecting while Redis is away and fails
 * commands fast instead of queueing them forever (callers get a clear error).
 */
export function createRedis(url: string, logger: Logger, name = 'main'): Redis {
  const redis = new TurnBatchedRedis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    // Commands issued in the same event-loop turn share one write (see TurnBatchedRedis), without auto-pipelining's objects.
    enableAutoPipelining: false,
  });
  let down = false;
  redis.on('error', (error) => {
    if (!down) logger.warn({ redis: name, err: error.message }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
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
export function connectRedisIfUsed<A extends AppName>(app: A, config: AppConfig<A>, logger: Logger, health: HealthChecks): Redis | undefined {
  if (!usesRedis(app)) return undefined;
  // usesRedis(app) proves A is a Redis app; TypeScript does not narrow a type parameter from a value.
  const redis = createRedis((config as unknown as AppConfig<RedisAppName>).redis.url, logger);
  health.add('redis', redisHealth(redis));
  return redis;
}

/** Healthy when the client is connected and PING answers. */
export function redisHealth(redis: Redis): HealthCheck {
  return async () => {
    if (redis.status !== 'ready') throw new Error(`not connected (${redis.status})`);
    const pong = await redis.ping();
    if (pong !== 'PONG') throw new Error(`unexpected PING answer ${pong}`);
  };
}
