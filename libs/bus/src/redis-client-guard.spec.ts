import { join } from 'node:path';
import { makeRedisCertificate, makeTempDir, removeTempDir, sleep, startRedis, type RedisHandle } from '@spear/testing';
import { Redis, ReplyError } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardRedisClient, hideCredentialArguments } from './redis-client-guard';

describe('hideCredentialArguments', () => {
  /** An error as ioredis makes it for a refused handshake: the failed command, arguments and all, attached. */
  function refusedHandshake(name: string, args: unknown[]): Error & { command: { name: string; args: unknown[] } } {
    return Object.assign(new ReplyError('WRONGPASS invalid username-password pair or user is disabled.'), { command: { name, args } });
  }

  it('blanks the arguments of a failed AUTH or HELLO before any other listener or a flushed command sees them', () => {
    const redis = new Redis({ lazyConnect: true });
    const seen: string[] = [];
    redis.on('error', (error: unknown) => seen.push(JSON.stringify(error, ['message', 'command', 'name', 'args'])));
    hideCredentialArguments(redis);
    const hello = refusedHandshake('hello', ['3', 'AUTH', 'spear', 'the-password']);
    const auth = refusedHandshake('auth', ['spear', 'the-password']);
    redis.emit('error', hello);
    redis.emit('error', auth);
    expect(hello.command.args).toEqual(['(hidden)']);
    expect(auth.command.args).toEqual(['(hidden)']);
    expect(seen.join('\n')).not.toContain('the-password');
    expect(seen.join('\n')).not.toContain('spear');
  });

  it('leaves other commands\' arguments alone (they hold keys, not secrets)', () => {
    const redis = new Redis({ lazyConnect: true });
    redis.on('error', () => undefined);
    hideCredentialArguments(redis);
    const get = refusedHandshake('get', ['spear:key']);
    redis.emit('error', get);
    expect(get.command.args).toEqual(['spear:key']);
  });
});

describe('keepSocketErrorsHandled (through guardRedisClient)', () => {
  let dir: string;
  let redis: RedisHandle;

  beforeAll(async () => {
    dir = makeTempDir('spear-bus-redis-guard-');
    redis = await startRedis({ dir: join(dir, 'redis'), tls: makeRedisCertificate(join(dir, 'certs')) });
  });

  afterAll(async () => {
    await redis?.stop();
    if (dir) removeTempDir(dir);
  });

  /** Uncaught exceptions while clients to the TLS port are disconnected during handshakes they refuse (system CAs: the test's certificate is untrusted). */
  async function uncaughtWhileRefusing(guard: (client: Redis) => void, rounds: number, untilFirst = false): Promise<string[]> {
    const uncaught: string[] = [];
    const record = (error: Error): void => void uncaught.push(error.message);
    // Vitest would report them after the test; counting them here makes the difference this test's result.
    process.on('uncaughtException', record);
    try {
      // The race needs the disconnect inside the handshake: delays of 0-7 ms cover it on a quiet or a busy machine.
      for (let round = 0; round < rounds && !(untilFirst && uncaught.length > 0); round++) {
        const delayMs = round % 8;
        const client = new Redis(redis.tlsUrl!, { tls: {}, lazyConnect: true, retryStrategy: () => 100 });
        guard(client);
        client.on('error', () => undefined);
        const attempt = client.connect().catch(() => undefined);
        await sleep(delayMs);
        client.disconnect();
        await attempt;
      }
      // The server's alert arrives a moment after the refusal.
      await sleep(200);
    } finally {
      process.off('uncaughtException', record);
    }
    return uncaught;
  }

  it('a disconnect during a refused TLS handshake leaves no uncaught socket error', async () => {
    expect(await uncaughtWhileRefusing(guardRedisClient, 48)).toEqual([]);
  });

  it('(why: a bare ioredis client lets the second socket error escape in the same scenario)', async () => {
    const uncaught = await uncaughtWhileRefusing(() => undefined, 200, true);
    expect(uncaught.length, 'ioredis fixed its once-only socket error listener: keepSocketErrorsHandled may go').toBeGreaterThan(0);
    expect(uncaught[0]).toMatch(/alert/);
  });
});
