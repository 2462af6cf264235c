import Redis from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '@spear/catalog';
import { makeTempDir, removeTempDir, startRedis, type RedisHandle } from '@spear/testing';
import type { AuditRecord } from './audit-entry';
import { AUDIT_SCAN_BUDGET, AuditLog } from './audit-log';
import { auditQuerySchema } from './audit-query';

const q = (query: Record<string, string> = {}) => auditQuerySchema.parse(query);

describe('AuditLog on a real Redis', () => {
  let dir: string;
  let server: RedisHandle;
  let redis: Redis;
  const keys = new RedisKeys('spear:audit-test:');
  let log: AuditLog;
  const record = (r: Partial<AuditRecord>) => log.record({ operator: 'admin', action: 'user.kick', target: 'alice', ip: '127.0.0.1', outcome: 'ok', status: 204, ...r });

  beforeAll(async () => {
    dir = makeTempDir('spear-minions-audit-');
    server = await startRedis({ dir });
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    await new Promise((resolve) => redis.once('ready', resolve));
    log = new AuditLog(redis, keys, pino({ level: 'silent' }));
    await record({ action: 'login', target: '', operator: 'mallory', outcome: 'refused', status: 401, detail: 'wrong password' });
    await record({ action: 'login', target: '', status: 204 });
    await record({ action: 'group.member.add', target: 'room:a/alice' });
    await record({ action: 'user.kick', target: 'alice' });
    await record({ action: 'group.member.remove', target: 'room:a/bob', operator: 'ops' });
    await record({ action: 'sim.token', target: 'bob', status: 201 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    removeTempDir(dir);
  });

  it('answers newest first, each entry with its id, time and everything recorded', async () => {
    const page = await log.query(q());
    expect(page.entries.map((e) => e.action)).toEqual(['sim.token', 'group.member.remove', 'user.kick', 'group.member.add', 'login', 'login']);
    expect(page.next).toBeNull();
    expect(page.entries[5]).toMatchObject({ operator: 'mallory', action: 'login', outcome: 'refused', status: 401, detail: 'wrong password', ip: '127.0.0.1' });
    expect(page.entries[0]!.at).toBeGreaterThan(Date.now() - 60_000);
    expect(page.entries[0]!.id).toMatch(/^\d+-\d+$/);
  });

  it('filters by operator and action exactly, by target as a substring', async () => {
    expect((await log.query(q({ operator: 'ops' }))).entries.map((e) => e.target)).toEqual(['room:a/bob']);
    expect((await log.query(q({ action: 'login' }))).entries.map((e) => e.operator)).toEqual(['admin', 'mallory']);
    expect((await log.query(q({ target: 'alice' }))).entries.map((e) => e.action)).toEqual(['user.kick', 'group.member.add']);
    expect((await log.query(q({ target: 'room:a/' }))).entries).toHaveLength(2);
    expect((await log.query(q({ operator: 'admin', action: 'sim.token', target: 'bob' }))).entries).toHaveLength(1);
    expect((await log.query(q({ operator: 'nobody' }))).entries).toEqual([]);
  });

  it('pages with the next cursor and bounds the time range', async () => {
    const first = await log.query(q({ limit: '4' }));
    expect(first.entries).toHaveLength(4);
    const second = await log.query(q({ limit: '4', before: first.next! }));
    expect(second.entries.map((e) => e.action)).toEqual(['login', 'login']);
    expect(second.next).toBeNull();
    const all = (await log.query(q())).entries;
    const middle = await log.query(q({ from: String(all[4]!.at), to: String(all[1]!.at) }));
    // Entries in the same millisecond come along: the range is by time, inclusive.
    for (const e of middle.entries) expect(e.at >= all[4]!.at && e.at <= all[1]!.at).toBe(true);
    expect(middle.entries.map((e) => e.id)).toEqual(expect.arrayContaining(all.slice(1, 5).map((e) => e.id)));
    expect((await log.query(q({ to: String(all[5]!.at - 1) }))).entries).toEqual([]);
  });

  it('reads at most its budget per query, and says where to go on', async () => {
    const other = new AuditLog(redis, new RedisKeys('spear:audit-budget:'), pino({ level: 'silent' }));
    const stream = new RedisKeys('spear:audit-budget:').minionsAudit();
    const pipeline = redis.pipeline();
    for (let i = 0; i < AUDIT_SCAN_BUDGET + 50; i++) pipeline.xadd(stream, '*', 'operator', i === 0 ? 'rare' : 'admin', 'action', 'login', 'target', '', 'ip', '::1', 'outcome', 'ok', 'status', '204');
    await pipeline.exec();
    const page = await other.query(q({ operator: 'rare' }));
    expect(page).toMatchObject({ entries: [], scanned: AUDIT_SCAN_BUDGET });
    expect(page.next).not.toBeNull();
    const rest = await other.query(q({ operator: 'rare', before: page.next! }));
    expect(rest.entries.map((e) => e.operator)).toEqual(['rare']);
    expect(rest.next).toBeNull();
  });

  it('refuses absurd queries before reading anything', () => {
    for (const bad of [{ limit: '501' }, { limit: '0' }, { action: 'drop.tables' }, { from: '10', to: '5' }, { before: 'abc' }, { sort: 'asc' }]) {
      expect(auditQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('caps the stream (XADD MAXLEN ~), so it never grows without bound', async () => {
    const capped = new AuditLog(redis, new RedisKeys('spear:audit-cap:'), pino({ level: 'silent' }), 100);
    for (let i = 0; i < 1000; i++) await capped.record({ operator: 'admin', action: 'sim.token', target: `u${i}`, ip: '::1', outcome: 'ok', status: 201 });
    const length = await redis.xlen(new RedisKeys('spear:audit-cap:').minionsAudit());
    // About the cap: Redis trims whole stream nodes (100 entries each by default), never below it.
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThanOrEqual(200);
    expect((await capped.query(q({ limit: '1' }))).entries[0]?.target).toBe('u999');
  });
});
