import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, pollUntil, removeTempDir, startRedis, type RedisHandle } from '@spear/testing';
import { TurnBatchedRedis } from './turn-batched-redis';

/** Socket reads Redis made so far (each client write arrives as at least one). */
async function readsProcessed(observer: Redis): Promise<number> {
  return Number((await observer.info('stats')).match(/total_reads_processed:(\d+)/)![1]);
}

describe('TurnBatchedRedis on a real Redis', () => {
  let dir: string;
  let server: RedisHandle;
  let observer: Redis;

  beforeAll(async () => {
    dir = makeTempDir('spear-turn-redis-');
    server = await startRedis({ dir });
    observer = new Redis(server.url);
  }, 30_000);
  afterAll(async () => {
    observer?.disconnect();
    await server?.stop();
    removeTempDir(dir);
  });

  it('sends the commands of one turn in one write, answered in call order', async () => {
    const redis = new TurnBatchedRedis(server.url);
    await redis.ping();
    const before = await readsProcessed(observer);
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => redis.incr('turn:counter').then((n) => [i, n])));
    // The observer's own INFO is one read; 200 commands from separate writes would be about 200.
    expect((await readsProcessed(observer)) - before).toBeLessThanOrEqual(4);
    expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => [i, i + 1]));
    redis.disconnect();
  });

  it('writes each turn separately: a command never waits for a later turn', async () => {
    const redis = new TurnBatchedRedis(server.url);
    await redis.ping();
    const before = await readsProcessed(observer);
    for (let i = 0; i < 50; i++) await redis.set('turn:last', String(i));
    expect((await readsProcessed(observer)) - before).toBeGreaterThanOrEqual(50);
    expect(await redis.get('turn:last')).toBe('49');
    redis.disconnect();
  });

  it('runs scripts and explicit pipelines alongside plain commands', async () => {
    const redis = new TurnBatchedRedis(server.url);
    redis.defineCommand('turnEcho', { numberOfKeys: 1, lua: "return redis.call('SET', KEYS[1], ARGV[1])" });
    const echo = (redis as unknown as { turnEcho(key: string, value: string): Promise<string> }).turnEcho('turn:script', 'v');
    const piped = redis.pipeline().set('turn:piped', 'p').get('turn:piped').exec();
    const [ok, results, plain] = await Promise.all([echo, piped, redis.get('turn:script')]);
    expect(ok).toBe('OK');
    expect(results).toEqual([[null, 'OK'], [null, 'p']]);
    expect(plain).toBe('v');
    redis.disconnect();
  });

  it('queues commands issued before it is connected and serves again after Redis restarts', async () => {
    const restartDir = makeTempDir('spear-turn-redis-restart-');
    let own = await startRedis({ dir: restartDir });
    const port = Number(new URL(own.url).port);
    const redis = new TurnBatchedRedis(own.url, { retryStrategy: () => 50, maxRetriesPerRequest: 1 });
    try {
      // Issued while still connecting: the offline queue sends them once ready.
      expect(await Promise.all([redis.set('turn:early', '1'), redis.get('turn:early')])).toEqual(['OK', '1']);
      await own.stop();
      own = await startRedis({ dir: restartDir, port });
      await pollUntil(() => redis.ping().catch(() => ''), (pong) => pong === 'PONG', 10_000);
      expect(await Promise.all([redis.set('turn:late', '2'), redis.get('turn:late')])).toEqual(['OK', '2']);
    } finally {
      redis.disconnect();
      await own.stop();
      removeTempDir(restartDir);
    }
  }, 30_000);
});
