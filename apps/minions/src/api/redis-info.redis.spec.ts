import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultKeyPrefix, LEGACY_KEY_PREFIX, RedisKeys } from '@spear/catalog';
import { makeTempDir, removeTempDir, startRedis, type RedisHandle } from '@spear/testing';
import { countSpearKeys } from './redis-info';

describe('countSpearKeys on a real Redis', () => {
  let dir: string;
  let server: RedisHandle;
  let redis: Redis;

  beforeAll(async () => {
    dir = makeTempDir('spear-minions-');
    server = await startRedis({ dir });
    redis = new Redis(server.url);
    const legacy = new RedisKeys(LEGACY_KEY_PREFIX);
    const test1 = new RedisKeys(defaultKeyPrefix('test1'));
    await redis.mset(legacy.inbox('a').hash, 1, legacy.inbox('a').seq, 1, legacy.nodeUsers('spear-1'), 1, legacy.statRpcIndex(), 1, `${LEGACY_KEY_PREFIX}stray`, 1);
    // Another profile nested under the legacy prefix on the same database, and a key of nobody's.
    await redis.mset(test1.route('a'), 1, test1.token('ab'), 1, 'unrelated:key', 1);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    removeTempDir(dir);
  });

  it("counts by the catalog's families under the profile's prefix only", async () => {
    const local = await countSpearKeys(redis, new RedisKeys(LEGACY_KEY_PREFIX));
    expect(local).toMatchObject({ prefix: LEGACY_KEY_PREFIX, scanned: 7, complete: true });
    // node-users is a real family (the old list counted a `node` family no key belongs to).
    expect(local.counts).toMatchObject({ inbox: 2, 'node-users': 1, stat: 1, route: 0, token: 0, other: 3 });
    expect(Object.keys(local.counts)).not.toContain('node');

    const test1 = await countSpearKeys(redis, new RedisKeys(defaultKeyPrefix('test1')));
    expect(test1).toMatchObject({ prefix: defaultKeyPrefix('test1'), scanned: 2, complete: true });
    expect(test1.counts).toMatchObject({ route: 1, token: 1, inbox: 0, other: 0 });
  });
});
