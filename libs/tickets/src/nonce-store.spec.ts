import type Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { LEGACY_KEY_PREFIX, RedisKeys } from '@spear/catalog';
import { NonceStore } from './nonce-store';

/** SET NX as Redis answers it, in memory: enough to check the key and the TTL handed over. */
function fakeRedis() {
  const calls: unknown[][] = [];
  const held = new Set<string>();
  const redis = {
    async set(...args: unknown[]) {
      calls.push(args);
      const key = args[0] as string;
      if (held.has(key)) return null;
      held.add(key);
      return 'OK';
    },
  };
  return { redis: redis as unknown as Redis, calls };
}

describe('NonceStore', () => {
  it("records a nonce once, under the profile's prefix, for the ticket's remaining life", async () => {
    const { redis, calls } = fakeRedis();
    const nonces = new NonceStore(redis, new RedisKeys('p1:'));
    expect(await nonces.consume('n-1', 31_000, 1_000)).toBe(true);
    expect(await nonces.consume('n-1', 31_000, 2_000)).toBe(false);
    expect(calls[0]).toEqual(['p1:nonce:n-1', '1', 'PX', 30_000, 'NX']);
  });

  it('keeps an already expired ticket for at least 1 ms (PX 0 is an error in Redis)', async () => {
    const { redis, calls } = fakeRedis();
    await new NonceStore(redis, new RedisKeys(LEGACY_KEY_PREFIX)).consume('n-2', 5, 10);
    expect(calls[0]![3]).toBe(1);
  });
});
