import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '@spear/catalog';
import { makeTempDir, removeTempDir, startRedis, type RedisHandle } from '@spear/testing';
import { tokenKey as keyOf } from '../tokens/token-store';
import { TicketGate, type GateLimits } from './ticket-gate';
import type { TokenProof } from './token-check';

// Not the legacy prefix: the gate must read and count under the profile's prefix.
const keys = new RedisKeys('gate-test:');
const opaque = (token: string): TokenProof => ({ kind: 'opaque', key: keyOf(keys, token) });
const minute = (limit: number) => ({ limit, windowMs: 60_000 });
const limits = (over: Partial<GateLimits> = {}): GateLimits => ({ perUid: minute(100), perIp: minute(10_000), perIpFailed: minute(10_000), ...over });

describe('TicketGate on a real Redis', () => {
  let dir: string;
  let server: RedisHandle;
  let redis: Redis;
  /** A distinct clock per test: fixed windows of different tests never share a counter. */
  let clock = 1_800_000_000_000;
  const nextWindow = () => (clock += 3_600_000);

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

  it('admits a token that proves its uid up to the uid limit within one window, then from zero in the next', async () => {
    const gate = new TicketGate(redis, keys, limits({ perUid: minute(2) }));
    await redis.set(keyOf(keys, 'tok-a'), 'alice');
    const now = nextWindow();
    expect(await gate.check('alice', '10.0.0.1', opaque('tok-a'), now)).toBe('admitted');
    expect(await gate.check('alice', '10.0.0.1', opaque('tok-a'), now)).toBe('admitted');
    expect(await gate.check('alice', '10.0.0.1', opaque('tok-a'), now)).toBe('rate_limited_uid');
    expect(await gate.check('alice', '10.0.0.1', opaque('tok-a'), now + 60_000)).toBe('admitted');
  });

  it('refuses an unknown token or another uid\'s token as invalid_token, without counting it against the uid', async () => {
    const gate = new TicketGate(redis, keys, limits({ perUid: minute(2) }));
    await redis.set(keyOf(keys, 'tok-b'), 'bob');
    await redis.set(keyOf(keys, 'tok-mallory'), 'mallory');
    const now = nextWindow();
    expect(await gate.check('bob', '10.0.0.2', opaque('unknown'), now)).toBe('invalid_token');
    expect(await gate.check('bob', '10.0.0.2', opaque('tok-mallory'), now)).toBe('invalid_token');
    expect(await gate.check('bob', '10.0.0.2', opaque('tok-b'), now)).toBe('admitted');
    expect(await gate.check('bob', '10.0.0.2', opaque('tok-b'), now)).toBe('admitted');
    // Two bogus requests before did not use up bob's two.
    expect(await gate.check('bob', '10.0.0.2', opaque('tok-b'), now)).toBe('rate_limited_uid');
    expect(Number(await redis.get(keys.rateLimit('ip-failed', '10.0.0.2', Math.floor(now / 60_000))))).toBe(2);
  });

  it(`cannot be made to lock a uid out: ${200} bogus requests for it leave its budget whole and rate-limit their address`, async () => {
    const gate = new TicketGate(redis, keys, limits({ perUid: minute(30), perIpFailed: minute(50) }));
    await redis.set(keyOf(keys, 'tok-victim'), 'victim');
    const now = nextWindow();
    const attacker = '198.51.100.66';
    const verdicts = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const verdict = await gate.check('victim', attacker, opaque(`guess-${i}`), now);
      verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
    }
    console.log(`gate: 200 bogus requests for one uid from one address: ${JSON.stringify(Object.fromEntries(verdicts))}`);
    expect(Object.fromEntries(verdicts)).toEqual({ invalid_token: 50, rate_limited_ip_failed: 150 });
    // Past its failed checks the address is refused before its token is read, even a good one.
    expect(await gate.check('victim', attacker, opaque('tok-victim'), now)).toBe('rate_limited_ip_failed');
    // The victim, from its own address, still has its whole budget.
    expect(await redis.exists(keys.rateLimit('uid', 'victim', Math.floor(now / 60_000)))).toBe(0);
    for (let i = 0; i < 30; i++) expect(await gate.check('victim', '203.0.113.7', opaque('tok-victim'), now)).toBe('admitted');
    expect(await gate.check('victim', '203.0.113.7', opaque('tok-victim'), now)).toBe('rate_limited_uid');
  });

  it('limits every request per address across uids, before looking at tokens', async () => {
    const gate = new TicketGate(redis, keys, limits({ perIp: minute(3) }));
    const now = nextWindow();
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await gate.check(`u${i}`, '10.0.0.9', opaque(`none-${i}`), now));
    expect(seen).toEqual(['invalid_token', 'invalid_token', 'invalid_token', 'rate_limited_ip']);
    // A refusal for the address's request budget is not a failed check.
    expect(Number(await redis.get(keys.rateLimit('ip-failed', '10.0.0.9', Math.floor(now / 60_000))))).toBe(3);
  });

  it('takes a JWT verified in JS, refuses it when issued before the uid\'s revocation, and counts a refused one as a failure', async () => {
    const gate = new TicketGate(redis, keys, limits({ perIpFailed: minute(2) }));
    const now = nextWindow();
    expect(await gate.check('jane', '10.0.1.1', { kind: 'jwt', iat: 1000 }, now)).toBe('admitted');
    expect(await gate.check('jane', '10.0.1.1', { kind: 'jwt' }, now)).toBe('admitted');
    await redis.set(keys.revokedBefore('jane'), String(2_000_500)); // revoked during second 2000
    expect(await gate.check('jane', '10.0.1.2', { kind: 'jwt', iat: 2000 }, now)).toBe('admitted');
    expect(await gate.check('jane', '10.0.1.2', { kind: 'jwt', iat: 1999 }, now)).toBe('invalid_token');
    expect(await gate.check('jane', '10.0.1.2', { kind: 'jwt' }, now)).toBe('invalid_token');
    expect(await gate.check('jane', '10.0.1.2', { kind: 'jwt', iat: 3000 }, now)).toBe('rate_limited_ip_failed');
    expect(await gate.check('jane', '10.0.1.3', { kind: 'refused' }, now)).toBe('invalid_token');
    expect(await gate.check('jane', '10.0.1.3', { kind: 'jwt', iat: 3000 }, now)).toBe('admitted');
  });

  it('lets every window counter expire with its window', async () => {
    const gate = new TicketGate(redis, keys, { perUid: minute(5), perIp: { limit: 5, windowMs: 30_000 }, perIpFailed: { limit: 5, windowMs: 10_000 } });
    await redis.set(keyOf(keys, 'tok-ttl'), 'ttl-user');
    const now = Date.now();
    await gate.check('ttl-user', '10.0.0.7', opaque('tok-ttl'), now);
    await gate.check('ttl-user', '10.0.0.7', opaque('bogus'), now);
    const ttls = await Promise.all([
      redis.pttl(keys.rateLimit('uid', 'ttl-user', Math.floor(now / 60_000))),
      redis.pttl(keys.rateLimit('ip', '10.0.0.7', Math.floor(now / 30_000))),
      redis.pttl(keys.rateLimit('ip-failed', '10.0.0.7', Math.floor(now / 10_000))),
    ]);
    for (const [ttl, windowMs] of [[ttls[0], 60_000], [ttls[1], 30_000], [ttls[2], 10_000]] as const) {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(windowMs);
    }
  });
});
