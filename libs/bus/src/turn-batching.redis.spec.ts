import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, pollUntil, removeTempDir, startRedis, type RedisHandle } from '@spear/testing';
import { batchTurns } from './turn-batching';

/** Socket reads Redis made so far (each client write arrives as at least one). */
async function readsProcessed(observer: Redis): Promise<number> {
  return Number((await observer.info('stats')).match(/total_reads_processed:(\d+)/)![1]);
}

describe('batchTurns on a real Redis', () => {
  let dir: string;
  let server: RedisHandle;
  let observer: Redis;
  const clients: Redis[] = [];
  /** A client connected and ready, closed after the suite. */
  const ready = async (url = server.url) => {
    const redis = batchTurns(new Redis(url, { retryStrategy: () => 50, maxRetriesPerRequest: 1 }));
    clients.push(redis);
    await redis.ping();
    return redis;
  };

  beforeAll(async () => {
    dir = makeTempDir('spear-turn-redis-');
    server = await startRedis({ dir });
    observer = new Redis(server.url);
  }, 30_000);
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    observer?.disconnect();
    await server?.stop();
    removeTempDir(dir);
  });

  it('sends the commands of one turn in one write, answered in call order', async () => {
    const redis = await ready();
    const before = await readsProcessed(observer);
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => redis.incr('turn:counter').then((n) => [i, n])));
    // One read for the batch and one for the observer's own INFO; without the cork this was 201 (checked by disabling it).
    expect((await readsProcessed(observer)) - before).toBeLessThanOrEqual(4);
    expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => [i, i + 1]));
  });

  it('writes each turn separately: a command never waits for a later turn', async () => {
    const redis = await ready();
    const before = await readsProcessed(observer);
    for (let i = 0; i < 50; i++) await redis.set('turn:last', String(i));
    expect((await readsProcessed(observer)) - before).toBeGreaterThanOrEqual(50);
    expect(await redis.get('turn:last')).toBe('49');
  });

  describe('with a busy window', () => {
    // Windows far above a loaded machine's scheduling noise: "written at once" and "held for the window" stay apart.
    const WINDOW_MS = 200;
    const windowed = async () => {
      const redis = batchTurns(new Redis(server.url, { retryStrategy: () => 50, maxRetriesPerRequest: 1 }), { busyWindowMs: WINDOW_MS });
      clients.push(redis);
      await redis.ping();
      return redis;
    };

    it('writes the turns that come while replies are outstanding and the last write is recent together, in order', async () => {
      const redis = await windowed();
      const before = await readsProcessed(observer);
      // A reply Redis holds 50 ms: every turn below comes while it is outstanding, within the window of its write.
      const blocked = redis.blpop('window:nothing', 0.05);
      const answers: Array<Promise<number>> = [];
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setImmediate(r));
        answers.push(redis.incr('window:counter'));
      }
      expect(await blocked).toBeNull();
      expect(await Promise.all(answers)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      // Without the window: the BLPOP and 10 writes (checked by setting it to 0); with it, the BLPOP and one.
      expect((await readsProcessed(observer)) - before).toBeLessThanOrEqual(4);
    });

    it('never holds a command awaited after the reply before it', async () => {
      const redis = await windowed();
      const start = performance.now();
      for (let i = 0; i < 5; i++) await redis.set('window:chain', String(i));
      // Held, five commands in a row would take 5 x 200 ms.
      expect(performance.now() - start).toBeLessThan(WINDOW_MS);
      expect(await redis.get('window:chain')).toBe('4');
    });
  });

  it('runs scripts and explicit pipelines in the same turn as plain commands, in order', async () => {
    const redis = await ready();
    redis.defineCommand('turnEcho', { numberOfKeys: 1, lua: "return redis.call('SET', KEYS[1], ARGV[1])" });
    const echo = (redis as unknown as { turnEcho(key: string, value: string): Promise<string> }).turnEcho('turn:script', 'v');
    const piped = redis.pipeline().set('turn:piped', 'p').get('turn:script').exec();
    const [ok, results, plain] = await Promise.all([echo, piped, redis.get('turn:piped')]);
    expect(ok).toBe('OK');
    expect(results).toEqual([[null, 'OK'], [null, 'v']]);
    expect(plain).toBe('p');
  });

  it('answers or rejects every command of a turn whose connection closes while corked, then serves again', async () => {
    const redis = await ready();
    const pending = Array.from({ length: 20 }, (_, i) => redis.set(`turn:closed:${i}`, 'x').then(() => 'ok', (error: Error) => error.message));
    // The same turn: the socket is corked with the 20 commands in it.
    redis.stream.destroy();
    const outcomes = await Promise.all(pending);
    expect(outcomes).toHaveLength(20);
    for (const outcome of outcomes) expect(typeof outcome).toBe('string');
    expect(await pollUntil(() => redis.ping().catch(() => ''), (pong) => pong === 'PONG', 10_000)).toBe('PONG');
    expect(await Promise.all([redis.set('turn:after', '1'), redis.get('turn:after')])).toEqual(['OK', '1']);
  });

  it('queues commands issued before it is connected and serves again after Redis restarts', async () => {
    const restartDir = makeTempDir('spear-turn-redis-restart-');
    let own = await startRedis({ dir: restartDir });
    const port = Number(new URL(own.url).port);
    const redis = batchTurns(new Redis(own.url, { retryStrategy: () => 50, maxRetriesPerRequest: 1 }));
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
