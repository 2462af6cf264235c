import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir, startRedis, type RedisHandle } from '@spear/testing';
import { parseRedisInfo, registerRedisInfoGauges, REDIS_INFO_TIMEOUT_MS } from './redis-info-gauges';

/** The value of one sample in a Prometheus text scrape, or undefined when the scrape has no such sample. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('parseRedisInfo', () => {
  it('reads used_memory, maxmemory and the keys of each database', () => {
    const info = '# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmaxmemory:0\r\n\r\n# Keyspace\r\ndb0:keys=12,expires=3,avg_ttl=0\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n';
    expect(parseRedisInfo(info)).toEqual({ usedMemoryBytes: 1048576, maxMemoryBytes: 0, keys: { db0: 12, db2: 1 } });
  });

  it('names the field an answer lacks instead of exporting a made-up number', () => {
    expect(() => parseRedisInfo('# Memory\r\nused_memory:12\r\n')).toThrow('INFO has no numeric maxmemory');
    expect(() => parseRedisInfo('used_memory:lots\r\nmaxmemory:0\r\n')).toThrow('INFO has no numeric used_memory');
  });
});

describe('Redis INFO gauges on a real Redis', () => {
  let dir: string;
  let server: RedisHandle;
  let redis: Redis;
  const errors: string[] = [];
  const registry = new Registry();

  beforeAll(async () => {
    dir = makeTempDir('spear-redis-gauges-');
    server = await startRedis({ dir });
    redis = new Redis(server.url);
    // The last test stops the server: its reconnect errors are expected, not news.
    redis.on('error', () => undefined);
    registerRedisInfoGauges(registry, redis, (name, error) => errors.push(`${name}: ${error.message}`));
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    removeTempDir(dir);
  });

  it('exports used memory, the maxmemory limit and key counts, fresh at each scrape', async () => {
    const name = `127.0.0.1:${new URL(server.url).port}`;
    await redis.flushall();
    await redis.config('SET', 'maxmemory', '0');
    const before = await registry.metrics();
    expect(sample(before, `spear_redis_memory_used_bytes{redis="${name}"}`)).toBeGreaterThan(0);
    expect(sample(before, `spear_redis_memory_max_bytes{redis="${name}"}`)).toBe(0);
    expect(sample(before, `spear_redis_keys{redis="${name}",db="db0"}`)).toBeUndefined();

    await redis.config('SET', 'maxmemory', String(64 * 1024 * 1024));
    await redis.mset('a', '1', 'b', '2', 'c', '3');
    const after = await registry.metrics();
    expect(sample(after, `spear_redis_memory_max_bytes{redis="${name}"}`)).toBe(64 * 1024 * 1024);
    expect(sample(after, `spear_redis_keys{redis="${name}",db="db0"}`)).toBe(3);
    expect(errors).toEqual([]);
  });

  it('a Redis that does not answer leaves its series out, tells why, and the scrape still ends in time', async () => {
    await server.stop();
    const started = Date.now();
    const text = await registry.metrics();
    expect(Date.now() - started).toBeLessThan(REDIS_INFO_TIMEOUT_MS + 1000);
    expect(text).toContain('# TYPE spear_redis_memory_used_bytes gauge');
    expect(text).not.toMatch(/^spear_redis_memory_used_bytes\{/m);
    // One INFO round per scrape, shared by the three gauges: one complaint, not three.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/no INFO answer within|Connection is closed|ECONNREFUSED/);
  });
});
