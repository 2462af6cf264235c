import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { makeRedisCertificate, makeTempDir, removeTempDir, startRedis, type RedisAclUser, type RedisHandle } from '@spear/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusLogger } from './logger';
import { RedisBus, type RedisBusOptions } from './redis-bus';
import { describeBusContract } from './test-support/bus-contract';
import { broadcast } from './test-support/envelopes';
import { openTcpSockets } from './test-support/open-sockets';

// One Redis whose `default` user is off and that knows one ACL user, on a plaintext and a TLS port.
let dir: string;
let redis: RedisHandle;
let user: RedisAclUser;
let caFile: string;

beforeAll(async () => {
  dir = makeTempDir('spear-bus-redis-auth-');
  const certificate = makeRedisCertificate(join(dir, 'certs'));
  caFile = certificate.certFile;
  redis = await startRedis({ dir: join(dir, 'redis'), user: { username: 'spear-bus', password: randomBytes(12).toString('hex') }, tls: certificate });
  user = redis.user!;
});

afterAll(async () => {
  await redis?.stop();
  if (dir) removeTempDir(dir);
});

describeBusContract('RedisBus as an ACL user', (keyPrefix) => new RedisBus({ url: redis.url, ...user, keyPrefix }));
describeBusContract('RedisBus as an ACL user over TLS (rediss://, caFile)', (keyPrefix) => new RedisBus({ url: redis.tlsUrl!, ...user, tls: { caFile }, keyPrefix }));

/** Every line a bus logs, fields and message, as one string each. */
function recordingLogger(): { logger: BusLogger; lines: string[] } {
  const lines: string[] = [];
  const log = (fields: object, message?: string) => lines.push(`${message ?? ''} ${JSON.stringify(fields)}`);
  return { logger: { debug: log, info: log, warn: log, error: log }, lines };
}

describe('RedisBus refused by Redis', () => {
  /** How start() and a publish-only bus fail with `options`, and what the buses logged meanwhile. */
  async function refusal(options: Partial<RedisBusOptions>): Promise<{ start: string; publish: string; ms: number; lines: string[] }> {
    const { logger, lines } = recordingLogger();
    const messageOf = async (action: (bus: RedisBus) => Promise<unknown>): Promise<string> => {
      const bus = new RedisBus({ url: redis.url, keyPrefix: 'refused', ...options, logger });
      try {
        await action(bus);
      } catch (error) {
        return (error as Error).message;
      } finally {
        await bus.close();
      }
      throw new Error('the bus was let in');
    };
    const began = Date.now();
    const start = await messageOf((bus) => bus.start('A', () => undefined));
    const ms = Date.now() - began;
    const publish = await messageOf((bus) => bus.publishBroadcast(broadcast('never')));
    return { start, publish, ms, lines };
  }

  it('a wrong password fails start and publish at once, saying authentication was refused and repeating no credential', async () => {
    const before = openTcpSockets();
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const { start, publish, ms, lines } = await refusal({ username: user.username, password: wrong });
    expect(start).toMatch(new RegExp(`^RedisBus: cannot start on redis://127\\.0\\.0\\.1:${redis.port}: authentication refused: WRONGPASS invalid username-password pair`));
    expect(start).toMatch(/\(check redis\.username and SPEAR_REDIS_PASSWORD\)$/);
    expect(publish).toMatch(/^RedisBus: cannot connect to redis:\/\/127\.0\.0\.1:\d+: authentication refused: WRONGPASS/);
    expect(ms, 'no retrying until some timeout').toBeLessThan(2_000);
    expect(openTcpSockets()).toBe(before);
    const everything = [start, publish, ...lines].join('\n');
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(user.password);
  });

  it('no password against a Redis that requires one fails with NOAUTH', async () => {
    const { start, publish } = await refusal({});
    expect(start).toMatch(/^RedisBus: cannot start on redis:\/\/127\.0\.0\.1:\d+: authentication refused: NOAUTH .*\(check redis\.username and SPEAR_REDIS_PASSWORD\)$/);
    expect(publish).toMatch(/^RedisBus: cannot connect to redis:\/\/127\.0\.0\.1:\d+: authentication refused: NOAUTH/);
  });

  it('over TLS, refuses a server whose certificate no trusted CA signed, or that names another host', async () => {
    const untrusted = await refusal({ url: redis.tlsUrl!, ...user, tls: true });
    expect(untrusted.start).toMatch(new RegExp(`^RedisBus: cannot start on rediss://127\\.0\\.0\\.1:\\d+: TLS handshake failed: DEPTH_ZERO_SELF_SIGNED_CERT`));
    // rediss:// alone means TLS with the system's CAs: the same refusal, never a plaintext fallback.
    expect((await refusal({ url: redis.tlsUrl!, ...user })).start).toMatch(/TLS handshake failed: DEPTH_ZERO_SELF_SIGNED_CERT/);
    const otherName = await refusal({ url: redis.tlsUrl!, ...user, tls: { caFile, servername: 'other.test' } });
    expect(otherName.start).toMatch(/TLS handshake failed: ERR_TLS_CERT_ALTNAME_INVALID/);
    // The CA with the name the certificate carries is let in.
    const bus = new RedisBus({ url: redis.tlsUrl!, ...user, tls: { caFile, servername: 'redis.test' }, keyPrefix: 'servername' });
    try {
      await bus.start('A', () => undefined);
      await bus.publishBroadcast(broadcast('over-tls'));
    } finally {
      await bus.close();
    }
  });
});
