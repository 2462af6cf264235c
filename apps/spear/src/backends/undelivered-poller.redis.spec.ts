import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '@spear/catalog';
import { UndeliveredChecks, UserLog, type UndeliveredEntry } from '@spear/delivery';
import { makeTempDir, removeTempDir, startRedis, type RedisHandle } from '@spear/testing';
import { UndeliveredPoller } from './undelivered-poller';

const keys = new RedisKeys('poller-test:');
const LOG = { cap: 100, ttlSeconds: 600, maxBytes: 1 << 20, maxDevices: 4, forgetDeviceAfterSeconds: 600, knownUsersOnly: false };

describe('UndeliveredPoller on a real Redis', () => {
  let dir: string;
  let server: RedisHandle;
  let redis: Redis;
  let checks: UndeliveredChecks;

  beforeAll(async () => {
    dir = makeTempDir('spear-poller-');
    server = await startRedis({ dir });
    redis = new Redis(server.url);
    checks = new UndeliveredChecks(redis, keys, 1000);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    removeTempDir(dir);
  });

  /** A hook that answers (or not) and records what it was told. */
  const hook = (answers: boolean) => {
    const told: UndeliveredEntry[] = [];
    return { told, undelivered: async (e: UndeliveredEntry) => (told.push(e), answers) };
  };
  const poller = (h: ReturnType<typeof hook>) => new UndeliveredPoller(checks, h, { pollMs: 1000, batch: 10, leaseMs: 5000, maxBatches: 3, maxAgeMs: 60_000 }, { warn: () => undefined });

  it('tells the hook of each due, unacked message once it answered; an acked one never; nothing before it is due', async () => {
    const log = new UserLog(redis, keys, LOG);
    await checks.schedule({ uid: 'bob', id: 'm1', seq: 1, from: 'alice', ts: 1 }, 0);
    await checks.schedule({ uid: 'bob', id: 'm2', seq: 2, from: 'alice', ts: 2 }, 0);
    await checks.schedule({ uid: 'bob', id: 'm3', seq: 3, from: 'alice', ts: 3 }, 10_000);
    await log.ack('bob', 'phone', { upTo: 1 });
    const h = hook(true);
    expect(await poller(h).tick(5000)).toBe(2);
    expect(h.told.map((e) => e.id)).toEqual(['m2']); // m1 was acked
    expect(await poller(h).tick(6000)).toBe(0);
    expect(await checks.pending()).toBe(1); // m3, not due yet
  });

  it('keeps a check the hook did not answer, and tries it again once its lease ran out (at least once)', async () => {
    await redis.del(keys.undeliveredDue());
    await checks.schedule({ uid: 'erin', id: 'x1', seq: 9, from: 'dave', ts: 1 }, 0);
    const failing = hook(false);
    expect(await poller(failing).tick(2000)).toBe(0);
    expect(await poller(failing).tick(3000)).toBe(0); // leased: not taken again yet
    expect(failing.told).toHaveLength(1);
    const answering = hook(true);
    expect(await poller(answering).tick(2000 + 5000 + 1)).toBe(1); // the lease ran out: another node takes it
    expect(answering.told.map((e) => e.id)).toEqual(['x1']);
    expect(await checks.pending()).toBe(0);
  });

  it('drains a backlog batch after batch in one look, and drops checks older than the maximum age', async () => {
    await redis.del(keys.undeliveredDue());
    for (let i = 0; i < 25; i++) await checks.schedule({ uid: 'frank', id: `b${i}`, seq: i + 1, from: 'x', ts: 100_000 }, 0);
    await checks.schedule({ uid: 'frank', id: 'ancient', seq: 99, from: 'x', ts: 1 }, 0);
    const h = hook(true);
    // 3 batches of 10 at most: the 26 due checks all go in one look.
    expect(await poller(h).tick(110_000)).toBe(26);
    expect(h.told.map((e) => e.id)).not.toContain('ancient'); // 110 s old: past the 60 s age, dropped unasked
    expect(h.told).toHaveLength(25);
    expect(await checks.pending()).toBe(0);
  });
});
