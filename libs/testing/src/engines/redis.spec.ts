import { Redis } from 'ioredis';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPidFile, stopByPidFile } from './pid-file';
import { startRedis, type RedisHandle } from './redis';
import { redisPing } from './redis-status';
import { isAlive } from './stop-process';
import { makeTempDir, removeTempDir } from './temp-dir';

/** An ioredis client that fails fast instead of retrying forever. */
async function client(port: number): Promise<Redis> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  return redis;
}

describe('Redis engine', () => {
  let root: string;
  let redis: RedisHandle;

  beforeAll(async () => {
    root = makeTempDir('spear-redis-');
    redis = await startRedis({ dir: join(root, 'plain') });
  });

  afterAll(async () => {
    await redis?.stop();
    removeTempDir(root);
  });

  it('round-trips SET and GET', async () => {
    const conn = await client(redis.port);
    try {
      await conn.set('engine-test:hello', 'hello');
      expect(await conn.get('engine-test:hello')).toBe('hello');
    } finally {
      await conn.quit();
    }
  });

  it('stop() leaves no process, no listener and no pid file', async () => {
    await redis.stop();
    expect(isAlive(redis.pid)).toBe(false);
    expect(await redisPing(redis.port)).toBe(false);
    expect(readPidFile(redis.dir, 'redis')).toBeNull();
  });

  it('keeps data across restarts with persistence', async () => {
    const dir = join(root, 'persistent');
    const first = await startRedis({ dir, persistence: true });
    const conn = await client(first.port);
    await conn.set('engine-test:kept', 'yes');
    await conn.quit();
    await first.stop();

    const second = await startRedis({ dir, persistence: true, port: first.port });
    try {
      const again = await client(second.port);
      expect(await again.get('engine-test:kept')).toBe('yes');
      await again.quit();
    } finally {
      await second.stop();
    }
  });

  it('stops a detached server through its pid file', async () => {
    const dir = join(root, 'detached');
    const detached = await startRedis({ dir, detached: true });
    expect(readPidFile(dir, 'redis')).toBe(detached.pid);

    expect(await stopByPidFile(dir, 'redis')).toBe(true);
    expect(isAlive(detached.pid)).toBe(false);
    expect(readPidFile(dir, 'redis')).toBeNull();
    expect(await stopByPidFile(dir, 'redis')).toBe(false);
  });
});
