import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '@spear/catalog';
import { makeTempDir, removeTempDir, startRedis, type RedisHandle } from '@spear/testing';
import { OperatorSessions, SESSION_SECONDS } from './operator-sessions';

describe('OperatorSessions on a real Redis', () => {
  let dir: string;
  let server: RedisHandle;
  let redis: Redis;
  const keys = new RedisKeys('spear:sessions-test:');

  beforeAll(async () => {
    dir = makeTempDir('spear-minions-sessions-');
    server = await startRedis({ dir });
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    await new Promise((resolve) => redis.once('ready', resolve));
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    removeTempDir(dir);
  });

  it('stores a session under the digest of its id for 12 h, readable by any instance, and revokes it at once', async () => {
    const mine = new OperatorSessions(redis, keys);
    const other = new OperatorSessions(redis, keys);
    const { id, maxAgeSeconds } = await mine.create('alice', 1_000);
    expect(maxAgeSeconds).toBe(SESSION_SECONDS);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await redis.keys(`${keys.prefix}minions:session:*`);
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toContain(id); // the id itself is nowhere in Redis
    expect(await redis.ttl(stored[0]!)).toBeGreaterThan(SESSION_SECONDS - 5);
    expect(await other.lookup(id)).toEqual({ operator: 'alice', createdAt: 1_000 });

    await other.revoke(id);
    expect(await mine.lookup(id)).toBeUndefined();
    expect(await other.lookup(id)).toBeUndefined();
  });

  it('knows no forged, malformed or missing id', async () => {
    const sessions = new OperatorSessions(redis, keys);
    for (const id of [undefined, '', 'x', 'a'.repeat(43), `${'a'.repeat(42)}!`, 'a'.repeat(44)]) expect(await sessions.lookup(id)).toBeUndefined();
  });

  it('while Redis is down, keeps a session it saw confirmed open, and refuses any other with 503 engine_down', async () => {
    const sessions = new OperatorSessions(redis, keys);
    const { id } = await sessions.create('bob');
    const { id: revoked } = await sessions.create('carol');
    await sessions.revoke(revoked);
    const unseen = (await new OperatorSessions(redis, keys).create('dave')).id;
    await server.stop();
    try {
      await expect.poll(() => redis.status).not.toBe('ready');
      expect((await sessions.lookup(id))?.operator).toBe('bob');
      expect(await sessions.lookup(revoked).catch((e: { getStatus(): number }) => e.getStatus())).toBe(503);
      expect(await sessions.lookup(unseen).catch((e: { getResponse(): unknown }) => e.getResponse())).toMatchObject({ error: { code: 'engine_down' } });
      expect(await sessions.create('erin').catch((e: { getStatus(): number }) => e.getStatus())).toBe(503);
      // Past the grace after its last confirmation, not even a known one.
      expect(await sessions.lookup(id, Date.now() + 11 * 60_000).catch(() => 'refused')).toBe('refused');
    } finally {
      server = await startRedis({ dir, port: server.port });
    }
  });
});
