import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '@spear/catalog';
import { makeTempDir, removeTempDir, startRedis, type RedisHandle } from '@spear/testing';
import { tokenKey as keyOf } from '../tokens/token-store';
import { TicketGate } from './ticket-gate';

// Not the legacy prefix: the gate must read and count under the profile's prefix.
const keys = new RedisKeys('gate-test:');
const tokenKey = (token: string) => keyOf(keys, token);

describe('TicketGate on a real Redis', () => {
  let dir: string;
  let server: RedisHandle;
  let redis: Redis;

  beforeAll(async () => {
    dir = makeTempDir('spear-gate-');
    server = await startRedis({ dir });
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    removeTempDir(dir);
  });

  it('reads the token owner and admits up to the uid limit within one window', async () => {
    const gate = new TicketGate(redis, keys, { limit: 2, windowMs: 60_000 }, { limit: 100, windowMs: 60_000 });
    await redis.set(tokenKey('tok-a'), 'alice');
    const now = 1_800_000_000_000;
    expect(await gate.check('alice', '10.0.0.1', tokenKey('tok-a'), now)).toEqual({ admitted: true, tokenOwner: 'alice' });
    expect(await gate.check('alice', '10.0.0.1', tokenKey('unknown'), now)).toEqual({ admitted: true, tokenOwner: null });
    expect(await gate.check('alice', '10.0.0.1', tokenKey('tok-a'), now)).toEqual({ admitted: false, tokenOwner: 'alice' });
    // The next window starts from zero.
    expect((await gate.check('alice', '10.0.0.1', tokenKey('tok-a'), now + 60_000)).admitted).toBe(true);
  });

  it('limits per IP across uids, and skips the token read for an empty key', async () => {
    const gate = new TicketGate(redis, keys, { limit: 100, windowMs: 60_000 }, { limit: 3, windowMs: 60_000 });
    const now = 1_800_000_100_000;
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await gate.check(`u${i}`, '10.0.0.9', '', now));
    expect(seen.map((r) => r.admitted)).toEqual([true, true, true, false]);
    expect(seen.every((r) => r.tokenOwner === null)).toBe(true);
  });

  it('lets window counters expire with their window', async () => {
    const gate = new TicketGate(redis, keys, { limit: 5, windowMs: 60_000 }, { limit: 5, windowMs: 30_000 });
    const now = Date.now();
    await gate.check('ttl-user', '10.0.0.7', '', now);
    const uidTtl = await redis.pttl(keys.rateLimit('uid', 'ttl-user', Math.floor(now / 60_000)));
    const ipTtl = await redis.pttl(keys.rateLimit('ip', '10.0.0.7', Math.floor(now / 30_000)));
    expect(uidTtl).toBeGreaterThan(0);
    expect(uidTtl).toBeLessThanOrEqual(60_000);
    expect(ipTtl).toBeGreaterThan(0);
    expect(ipTtl).toBeLessThanOrEqual(30_000);
  });
});
