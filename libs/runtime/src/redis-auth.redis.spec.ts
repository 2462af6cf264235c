import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { RedisClient } from '@spear/bus';
import { createBus, REDIS_PASSWORD_MISSING, type Envelope } from '@spear/bus';
import { applyEnvOverrides, validateConfig, type AppConfig } from '@spear/config';
import { DEV_CLUSTER_SECRET, DEV_ZOOKEEPER_AUTH, makeRedisCertificate, makeTempDir, pollUntil, removeTempDir, startRedis, until, type RedisAclUser, type RedisHandle } from '@spear/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HealthChecks, type HealthReport } from './health';
import { connectRedisIfUsed } from './redis';

// One Redis whose `default` user is off and that knows one ACL user, on a plaintext and a TLS port.
let dir: string;
let redis: RedisHandle;
let user: RedisAclUser;
let caFile: string;

beforeAll(async () => {
  dir = makeTempDir('spear-runtime-redis-auth-');
  const certificate = makeRedisCertificate(join(dir, 'certs'));
  caFile = certificate.certFile;
  redis = await startRedis({ dir: join(dir, 'redis'), user: { username: 'spear-app', password: randomBytes(12).toString('hex') }, tls: certificate });
  user = redis.user!;
});

afterAll(async () => {
  await redis?.stop();
  if (dir) removeTempDir(dir);
});

/** Every line a pino logger wrote, as the JSON text a log collector would get. */
function recordingLogger(): { logger: pino.Logger; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), text: () => lines.join('') };
}

/** ticket's config for `redis` (a profile's section), with SPEAR_REDIS_PASSWORD applied as a deployment's environment gives it. */
function ticketConfig(section: Record<string, unknown>, password?: string): AppConfig<'ticket'> {
  const raw: Record<string, unknown> = {
    name: 'test-redis-auth',
    zookeeper: { connect: '127.0.0.1:2181', root: '/spear/test-redis-auth' },
    redis: section,
    secrets: { clusterSecret: DEV_CLUSTER_SECRET, zookeeperPassword: DEV_ZOOKEEPER_AUTH.password, adminKey: 'admin-key-0123', ticketSecret: 'ticket-secret-0123456789' },
    ticket: { http: { port: 0 } },
  };
  applyEnvOverrides(raw, password === undefined ? {} : { SPEAR_REDIS_PASSWORD: password });
  return validateConfig('ticket', raw);
}

describe("an app's Redis client and bus with an ACL user", () => {
  const clients: RedisClient[] = [];

  /** The app's main client as boot makes it, and its health checks. */
  function connect(config: AppConfig<'ticket'>, logger: pino.Logger = pino({ level: 'silent' })): { client: RedisClient; health: HealthChecks } {
    const health = new HealthChecks(2_000);
    const client = connectRedisIfUsed('ticket', config, logger, health)!;
    clients.push(client);
    return { client, health };
  }

  /** The health report once the `redis` check says something that matches `pattern`. */
  function healthSaying(health: HealthChecks, pattern: RegExp): Promise<HealthReport> {
    return pollUntil(() => health.run(), (report) => pattern.test(report.checks.redis ?? ''), 5_000);
  }

  afterEach(() => {
    clients.splice(0).forEach((client) => client.disconnect());
  });

  it('authenticates as redis.username with the password from SPEAR_REDIS_PASSWORD; the bus made from the same section delivers', async () => {
    const config = ticketConfig({ url: redis.url, username: user.username }, user.password);
    const { client, health } = connect(config);
    expect((await healthSaying(health, /^ok$/)).ok).toBe(true);
    await client.set('redis-auth:hello', 'hello');
    expect(await client.get('redis-auth:hello')).toBe('hello');
    expect(await client.acl('WHOAMI')).toBe(user.username);

    // As spear-node, minions and ticket's push service call it: the whole redis section, their own prefix.
    const [sender, receiver] = [1, 2].map(() => createBus({ bus: 'redis', redis: { ...config.redis, keyPrefix: 'redis-auth-spec' } }));
    const received: Envelope[] = [];
    try {
      await receiver!.start('B', (envelope) => received.push(envelope));
      await sender!.publishToNodes(['B'], { t: 'msg', p: { id: 'over-acl', from: 'a', to: 'b', body: { text: 'over-acl' }, ts: Date.now() } });
      await until(() => received.length === 1, 5_000, 'the envelope');
    } finally {
      await Promise.all([sender!.close(), receiver!.close()]);
    }
  });

  it('a wrong password: /healthz says authentication was refused; no log line, health message or command error repeats the password', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const { logger, text } = recordingLogger();
    const { client, health } = connect(ticketConfig({ url: redis.url, username: user.username }, wrong), logger);
    // Queued before the refusal: ioredis rejects it with the refusal's own error object, which carries the failed HELLO.
    const queued = client.get('redis-auth:never').catch((error: unknown) => error);
    const report = await healthSaying(health, /authentication refused/);
    expect(report.checks.redis).toMatch(/^not connected \(\w+\): authentication refused: WRONGPASS invalid username-password pair or user is disabled\. \(check redis\.username and SPEAR_REDIS_PASSWORD\)$/);
    const commandError = await queued;
    // An app that logs the whole error (pino serializes its own fields too) still prints no password.
    logger.error({ err: commandError }, 'a command failed');
    expect(text()).toContain('"msg":"redis connection error"');
    expect(text()).toContain('WRONGPASS');
    expect(text()).toContain('"args":["(hidden)"]');
    const everything = [text(), JSON.stringify(report)].join('\n');
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(user.password);
  });

  it('no password against a Redis that requires one: /healthz says NOAUTH', async () => {
    const { health } = connect(ticketConfig({ url: redis.url }));
    expect((await healthSaying(health, /authentication refused/)).checks.redis).toMatch(/: authentication refused: NOAUTH .*\(check redis\.username and SPEAR_REDIS_PASSWORD\)$/);
  });

  it('a username without a password stops boot at the client, naming the variable', () => {
    const config = ticketConfig({ url: redis.url, username: user.username });
    expect(() => connect(config)).toThrow(REDIS_PASSWORD_MISSING);
  });

  it('over TLS: rediss:// with the CA file connects; with the system CAs the untrusted certificate is refused', async () => {
    const trusted = connect(ticketConfig({ url: redis.tlsUrl!, username: user.username, tls: { caFile } }, user.password));
    expect((await healthSaying(trusted.health, /^ok$/)).ok).toBe(true);
    expect(await trusted.client.ping()).toBe('PONG');

    const untrusted = connect(ticketConfig({ url: redis.tlsUrl!, username: user.username }, user.password));
    const report = await healthSaying(untrusted.health, /TLS/);
    expect(report.checks.redis).toMatch(/^not connected \(\w+\): TLS handshake failed: DEPTH_ZERO_SELF_SIGNED_CERT \(check redis\.tls and the server's certificate\)$/);
  });
});
