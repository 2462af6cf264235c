import { makeTempDir, removeTempDir, sleep, startRedis, type RedisHandle } from '@spear/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisBus } from './redis-bus';
import { describeBusContract } from './test-support/bus-contract';
import { message } from './test-support/envelopes';
import { Inbox } from './test-support/inbox';
import { openTcpSockets } from './test-support/open-sockets';

let dir: string;
let redis: RedisHandle;

beforeAll(async () => {
  dir = makeTempDir('spear-bus-redis-');
  redis = await startRedis({ dir });
});

afterAll(async () => {
  await redis?.stop();
  if (dir) removeTempDir(dir);
});

describeBusContract('RedisBus (sharded pub/sub)', (keyPrefix) => new RedisBus({ url: redis.url, keyPrefix }));
describeBusContract(
  'RedisBus (classic pub/sub)',
  (keyPrefix) => new RedisBus({ url: redis.url, keyPrefix, pubsub: 'classic' }),
);

describe('RedisBus across a Redis restart', () => {
  const buses: RedisBus[] = [];

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  it('rejects publishes while Redis is down and delivers again after it returns', async () => {
    const keyPrefix = 'restart';
    const a = new RedisBus({ url: redis.url, keyPrefix });
    const b = new RedisBus({ url: redis.url, keyPrefix });
    buses.push(a, b);
    const inbox = new Inbox();
    await a.start('A', () => undefined);
    await b.start('B', inbox.receive);
    await b.joinGroup('kept');
    await b.joinGroup('left-while-down');
    await a.publishToNodes(['B'], message('before'));
    await inbox.waitFor('before');

    await redis.stop();
    for (const publish of [
      () => a.publishToNodes(['B'], message('while-down')),
      () => a.publishToNodes(['B', 'C'], message('while-down-pipelined')),
      () => a.publishBroadcast(message('while-down-broadcast')),
    ]) {
      const started = Date.now();
      await expect(publish()).rejects.toThrow(/RedisBus: publish failed/);
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    // Membership changes during the outage resolve and take effect on reconnect.
    await b.leaveGroup('left-while-down');
    await b.joinGroup('joined-while-down');

    redis = await startRedis({ dir, port: redis.port });
    const back = Date.now();
    // The publisher reconnects within ~1 s; until then publishes reject and are retried here.
    for (let attempt = 0; !inbox.ids().some((id) => id.startsWith('after-')); attempt++) {
      expect(Date.now() - back, 'delivery resumes within 5 s').toBeLessThan(5_000);
      await a.publishToNodes(['B'], message(`after-${attempt}`)).catch(() => undefined);
      await sleep(100);
    }
    console.log(`RedisBus: delivery resumed ${Date.now() - back} ms after Redis was back`);

    for (const group of ['kept', 'left-while-down', 'joined-while-down']) {
      await a.publishToGroup(group, { t: 'group', p: { id: group, group, from: 'A', body: null, ts: 0 } });
    }
    await inbox.waitFor('joined-while-down');
    await inbox.waitFor('kept');
    await sleep(300);
    expect(inbox.has('left-while-down')).toBe(false);
    expect(inbox.ids().filter((id) => id.startsWith('while-down'))).toEqual([]);
  });
});

describe('RedisBus with Redis unreachable', () => {
  it('rejects start() promptly and leaves no sockets open', async () => {
    const before = openTcpSockets();
    const bus = new RedisBus({ url: 'redis://127.0.0.1:1' });
    const started = Date.now();
    await expect(bus.start('A', () => undefined)).rejects.toThrow(/RedisBus: cannot start/);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(openTcpSockets()).toBe(before);
  });

  it('rejects publish-only use promptly and leaves no sockets open', async () => {
    const before = openTcpSockets();
    const bus = new RedisBus({ url: 'redis://127.0.0.1:1' });
    const started = Date.now();
    await expect(bus.publishBroadcast(message('nowhere'))).rejects.toThrow(/RedisBus: cannot connect/);
    expect(Date.now() - started).toBeLessThan(3_000);
    await bus.close();
    expect(openTcpSockets()).toBe(before);
  });
});
