import { Redis } from 'ioredis';
import { errorMessage, type BusLogger } from './logger';
import { guardRedisClient } from './redis-client-guard';
import { redisAccessProblem, type RedisConnectionOptions } from './redis-security';

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
 */
export function createPublisher(url: string, connection: RedisConnectionOptions, timeoutMs: number, logger: BusLogger): Redis {
  const redis = new Redis(url, {
    ...connection,
    ...reconnecting,
    connectionName: 'spear-bus-pub',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: timeoutMs,
  });
  guardRedisClient(redis);
  logOutages(redis, 'publisher', logger);
  return redis;
}

/**
 * The subscribing connection. Its subscriptions are restored by the bus on
 * every `ready` (not by ioredis's `autoResubscribe`), because only the bus
 * knows which groups were joined or left while Redis was away.
 */
export function createSubscriber(url: string, connection: RedisConnectionOptions, timeoutMs: number, logger: BusLogger): Redis {
  const redis = new Redis(url, {
    ...connection,
    ...reconnecting,
    connectionName: 'spear-bus-sub',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    commandTimeout: timeoutMs,
  });
  guardRedisClient(redis);
  logOutages(redis, 'subscriber', logger);
  return redis;
}

/**
 * Connects `redis` (made with lazyConnect). Rejects with why the connection
 * failed: ioredis's connect() only says "Connection is closed.", while the
 * reason (a refused password, an untrusted certificate) went to its `error`
 * event just before.
 */
export async function connectExplained(redis: Redis): Promise<void> {
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
function logOutages(redis: Redis, role: string, logger: BusLogger): void {
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
export async function closeConnection(redis: Redis): Promise<void> {
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
