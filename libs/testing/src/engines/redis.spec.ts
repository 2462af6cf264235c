import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPidFile, stopByPidFile } from './pid-file';
import { startRedis, type RedisHandle } from './redis';
import { redisPing } from './redis-status';
import { makeRedisCertificate } from './redis-tls';
import { isAlive } from './stop-process';
import { makeTempDir, removeTempDir } from './temp-dir';

/** An ioredis client that fails fast instead of retrying forever. */
async function client(port: number): Promise<Redis> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  return redis;
}

/** CONFIG GET's flat [name, value, ...] reply as pairs. */
function chunks(flat: string[]): Array<[string, string]> {
  return Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]);
}

describe('Redis engine', () => {
  let root: string;
  let redis: RedisHandle;

  beforeAll(async () => {
    root = makeTempDir('spear-redis-');
    redis = await startRedis({ dir: join(root, 'plain') });
  });

  afterAll(async () => {
    await redis?.stop();
    removeTempDir(root);
  });

  it('round-trips SET and GET', async () => {
    const conn = await client(redis.port);
    try {
      await conn.set('engine-test:hello', 'hello');
      expect(await conn.get('engine-test:hello')).toBe('hello');
    } finally {
      await conn.quit();
    }
  });

  it('stop() leaves no process, no listener and no pid file', async () => {
    await redis.stop();
    expect(isAlive(redis.pid)).toBe(false);
    expect(await redisPing(redis.port)).toBe(false);
    expect(readPidFile(redis.dir, 'redis')).toBeNull();
  });

  it('keeps data across restarts with persistence', async () => {
    const dir = join(root, 'persistent');
    const first = await startRedis({ dir, persistence: true });
    const conn = await client(first.port);
    await conn.set('engine-test:kept', 'yes');
    await conn.quit();
    await first.stop();

    const second = await startRedis({ dir, persistence: true, port: first.port });
    try {
      const again = await client(second.port);
      expect(await again.get('engine-test:kept')).toBe('yes');
      await again.quit();
    } finally {
      await second.stop();
    }
  });

  it('applies maxmemory, noeviction and appendfsync; a full Redis refuses writes (OOM) and keeps every key', async () => {
    const server = await startRedis({ dir: join(root, 'bounded'), persistence: true, appendfsync: 'always', maxmemory: '4mb' });
    const conn = await client(server.port);
    try {
      const config = Object.fromEntries(chunks(await conn.config('GET', 'maxmemory*', 'append*') as string[]));
      expect(config).toMatchObject({ maxmemory: String(4 << 20), 'maxmemory-policy': 'noeviction', appendonly: 'yes', appendfsync: 'always' });
      const value = 'x'.repeat(256 << 10);
      let [written, refusal] = [0, undefined as Error | undefined];
      while (!refusal && written < 100) {
        try {
          await conn.set(`engine-test:big:${written}`, value);
          written++;
        } catch (err) {
          refusal = err as Error;
        }
      }
      expect(refusal?.message).toMatch(/^OOM /);
      expect(written).toBeGreaterThan(0);
      expect(await conn.exists(...Array.from({ length: written }, (_, i) => `engine-test:big:${i}`))).toBe(written);
    } finally {
      await conn.quit();
      await server.stop();
    }
  });

  it('defaults: maxmemory 1gb with noeviction, appendfsync everysec', async () => {
    const server = await startRedis({ dir: join(root, 'defaults') });
    const conn = await client(server.port);
    try {
      const config = Object.fromEntries(chunks(await conn.config('GET', 'maxmemory*', 'append*') as string[]));
      expect(config).toMatchObject({ maxmemory: String(1 << 30), 'maxmemory-policy': 'noeviction', appendonly: 'no', appendfsync: 'everysec' });
    } finally {
      await conn.quit();
      await server.stop();
    }
  });

  it('a replica syncs from its master; paused it acks nothing; promoted it keeps the data and takes writes', async () => {
    const master = await startRedis({ dir: join(root, 'master') });
    const replica = await startRedis({ dir: join(root, 'replica'), replicaOf: master.port });
    const [onMaster, onReplica] = [await client(master.port), await client(replica.port)];
    onMaster.on('error', () => undefined);
    try {
      expect(((await onReplica.role()) as unknown[])[0]).toBe('slave');
      await onMaster.set('engine-test:replicated', 'yes');
      expect(await onMaster.wait(1, 2_000)).toBe(1);
      expect(await onReplica.get('engine-test:replicated')).toBe('yes');

      replica.pause();
      await onMaster.set('engine-test:while-paused', 'yes');
      expect(await onMaster.wait(1, 200)).toBe(0);
      replica.resume();
      expect(await onMaster.wait(1, 2_000)).toBe(1);

      await master.kill();
      expect(isAlive(master.pid)).toBe(false);
      await replica.promote();
      expect(((await onReplica.role()) as unknown[])[0]).toBe('master');
      expect(await onReplica.get('engine-test:while-paused')).toBe('yes');
      await onReplica.set('engine-test:after-promotion', 'yes');
    } finally {
      onMaster.disconnect();
      onReplica.disconnect();
      await replica.stop();
      await master.stop();
    }
  });

  it('stop() ends a paused server promptly', async () => {
    const server = await startRedis({ dir: join(root, 'paused') });
    server.pause();
    const started = Date.now();
    await server.stop();
    expect(isAlive(server.pid)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops a detached server through its pid file', async () => {
    const dir = join(root, 'detached');
    const detached = await startRedis({ dir, detached: true });
    expect(readPidFile(dir, 'redis')).toBe(detached.pid);

    expect(await stopByPidFile(dir, 'redis')).toBe(true);
    expect(isAlive(detached.pid)).toBe(false);
    expect(readPidFile(dir, 'redis')).toBeNull();
    expect(await stopByPidFile(dir, 'redis')).toBe(false);
  });
});

describe('Redis engine with an ACL user and a TLS listener', () => {
  let root: string;

  beforeAll(() => {
    root = makeTempDir('spear-redis-acl-');
  });

  afterAll(() => removeTempDir(root));

  it('is ready once the user authenticates; without it or with a wrong password nothing answers', async () => {
    const user = { username: 'spear-test', password: 'a-test-password-0123' };
    const server = await startRedis({ dir: join(root, 'acl'), user });
    try {
      expect(server.user).toEqual(user);
      expect(await redisPing(server.port, 1_000, user)).toBe(true);
      // The default user is off: a client that does not authenticate is refused, not let in as `default`.
      expect(await redisPing(server.port)).toBe(false);
      expect(await redisPing(server.port, 1_000, { ...user, password: 'not-the-password' })).toBe(false);
      // The password is on no command line (ps shows every process's arguments).
      expect(readFileSync(`/proc/${server.pid}/cmdline`, 'utf8')).not.toContain(user.password);
    } finally {
      await server.stop();
    }
  });

  it('refuses a user that the ACL file could not hold, naming the field but not the value', async () => {
    const refusal = await startRedis({ dir: join(root, 'bad-user'), user: { username: 'spear', password: 'two words' } }).then(
      (server) => server.stop().then(() => null),
      (error: Error) => error,
    );
    expect(refusal?.message).toMatch(/^startRedis: user\.password must be 1-64 characters/);
    expect(refusal?.message).not.toContain('two words');
  });

  it('also listens with TLS on tlsUrl, with the certificate given', async () => {
    const certificate = makeRedisCertificate(join(root, 'certs'));
    const server = await startRedis({ dir: join(root, 'tls'), tls: certificate });
    const conn = new Redis(server.tlsUrl!, { tls: { ca: [readFileSync(certificate.certFile)] }, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      expect(server.tlsUrl).toMatch(/^rediss:\/\/127\.0\.0\.1:\d+$/);
      await conn.connect();
      expect(await conn.ping()).toBe('PONG');
    } finally {
      conn.disconnect();
      await server.stop();
    }
  });
});
