import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '@spear/catalog';
import type { MsgEvent } from '@spear/protocol';
import { makeTempDir, removeTempDir, startRedis, type RedisHandle } from '@spear/testing';
import { GroupHistory } from '../group-history';
import { TEST_LOG_OPTIONS } from '../node/test-support/memory-stores';
import { RedisMessageStore } from '../redis-delivery-store';
import { MEMORY_DURABILITY } from './durability';
import { UndeliveredChecks } from './undelivered';
import { UserLog } from './user-log';

const keys = new RedisKeys('undelivered-test:');
const AFTER_MS = 60_000;

describe('undelivered checks on a real Redis', () => {
  let dir: string;
  let server: RedisHandle;
  let redis: Redis;
  let checks: UndeliveredChecks;
  let log: UserLog;
  let store: RedisMessageStore;
  let n = 0;
  const msg = (from: string, to: string): MsgEvent => ({ id: String(1000 + n++), from, to, body: 'hi', ts: Date.now() });

  beforeAll(async () => {
    dir = makeTempDir('spear-undelivered-');
    server = await startRedis({ dir });
    redis = new Redis(server.url);
    checks = new UndeliveredChecks(redis, keys, AFTER_MS);
    log = new UserLog(redis, keys, TEST_LOG_OPTIONS);
    store = new RedisMessageStore(redis, log, new GroupHistory(redis, keys, 10, 600), MEMORY_DURABILITY, { undelivered: checks });
  });
  afterAll(async () => {
    store?.close();
    redis?.disconnect();
    await server?.stop();
    removeTempDir(dir);
  });

  it("schedules each stored message for its recipient (never a sender copy), due afterMs later; a claim leases, it does not remove", async () => {
    await redis.del(keys.undeliveredDue());
    const t0 = Date.now();
    const m = msg('alice', 'bob');
    const { seq } = await store.storeMessage(m, { kind: 'send', offlineAllowed: true });
    await store.storeMessage(m, { kind: 'copy' });
    expect(await checks.pending()).toBe(1);
    expect(await checks.claim(t0 + AFTER_MS - 1000, 10, 5000)).toEqual([]); // not due yet
    const [claimed] = await checks.claim(t0 + AFTER_MS + 1000, 10, 5000);
    expect(claimed!.entry).toEqual({ uid: 'bob', id: m.id, seq, from: 'alice', ts: m.ts });
    // Leased: nobody takes it again until the lease runs out; then another node may (the first one died).
    expect(await checks.claim(t0 + AFTER_MS + 2000, 10, 5000)).toEqual([]);
    expect((await checks.claim(t0 + AFTER_MS + 7000, 10, 5000)).map((c) => c.entry.id)).toEqual([m.id]);
    await checks.settle(claimed!.member);
    expect(await checks.pending()).toBe(0);
  });

  it('claims at most `limit` at once, oldest due first', async () => {
    await redis.del(keys.undeliveredDue());
    for (let i = 0; i < 5; i++) await checks.schedule({ uid: 'u', id: String(i), seq: i + 1, from: 'x', ts: 1 }, 1000 + i);
    expect((await checks.claim(1_000_000, 3, 1000)).map((c) => c.entry.id)).toEqual(['0', '1', '2']);
    expect((await checks.claim(1_000_000, 3, 1000)).map((c) => c.entry.id)).toEqual(['3', '4']);
  });

  it('knows whether any device acked a seq: by its cursor, or among the seqs acked above it', async () => {
    const uid = 'carol';
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) seqs.push((await store.storeMessage(msg('dave', uid), { kind: 'send', offlineAllowed: true })).seq);
    expect(await checks.ackedByAnyDevice(uid, seqs[0]!)).toBe(false);
    await log.ack(uid, 'phone', { upTo: seqs[1]! });
    expect(await checks.ackedByAnyDevice(uid, seqs[0]!)).toBe(true);
    expect(await checks.ackedByAnyDevice(uid, seqs[1]!)).toBe(true);
    expect(await checks.ackedByAnyDevice(uid, seqs[2]!)).toBe(false);
    const ids = (await log.arrive(uid, 'laptop')).messages.map((m) => m.id);
    await log.ack(uid, 'laptop', { ids: [ids[3]!] }); // seq 4 acked by id, above the laptop's cursor
    expect(await checks.ackedByAnyDevice(uid, seqs[3]!)).toBe(true);
    expect(await checks.ackedByAnyDevice(uid, seqs[2]!)).toBe(false);
    expect(await checks.ackedByAnyDevice('nobody', 1)).toBe(false);
  });
});
