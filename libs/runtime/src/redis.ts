import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { HealthCheck } from './health';
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

/** Healthy when the client is connected and PING answers. */
export function redisHealth(redis: Redis): HealthCheck {
  return async () => {
    if (redis.status !== 'ready') throw new Error(`not connected (${redis.status})`);
    const pong = await redis.ping();
    if (pong !== 'PONG') throw new Error(`unexpected PING answer ${pong}`);
  };
}
