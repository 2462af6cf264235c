import Redis, { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isClusterClient, type RedisClient } from '@spear/bus';
import { RedisKeys } from '@spear/catalog';
import { ProtocolError } from '@spear/protocol';
import { makeTempDir, removeTempDir, startRedis, startRedisCluster } from '@spear/testing';
import { GroupHistory } from './group-history';
import { GroupPresence, onlineIn } from './groups/group-presence';
import { GroupTraffic } from './groups/group-traffic';
import { Memberships } from './groups/memberships';
import { MEMORY_DURABILITY } from './log/durability';
import { TEST_LOG_OPTIONS } from './node/test-support/memory-stores';
import { deliveryStoreContract } from './node/test-support/delivery-store-contract';
import { UserLog } from './log/user-log';
import { RedisDeliveryStore } from './redis-delivery-store';
import { RouteTable } from './route-table';

// Not the legacy prefix: the stores must write under whatever prefix the profile gives them.
const keys = new RedisKeys('delivery-test:');

/** A real Redis of each topology the stores run on, with a client as the services make it (a cluster client on a cluster). */
const TOPOLOGIES = {
  'a real Redis': async (dir: string) => {
    const server = await startRedis({ dir });
    return { client: new Redis(server.url) as RedisClient, stop: () => server.stop() };
  },
  // Every script, MULTI and pipeline of the stores must stay within a slot (a shard): three masters make a cross-slot call fail.
  'a real Redis Cluster': async (dir: string) => {
    const cluster = await startRedisCluster({ dir });
    const client = new Cluster(cluster.seeds.map((url) => ({ host: new URL(url).hostname, port: Number(new URL(url).port) })), { enableAutoPipelining: true });
    return { client: client as RedisClient, stop: () => cluster.stop() };
  },
};

/** Every key of the server or of every master of the cluster. */
async function everyKey(redis: RedisClient): Promise<string[]> {
  const masters = isClusterClient(redis) ? redis.nodes('master') : [redis];
  return (await Promise.all(masters.map((master) => master.keys('*')))).flat();
}

/** Calls per command so far (INFO commandstats), over every master of a cluster. */
async function commandCalls(redis: RedisClient): Promise<Record<string, number>> {
  const masters = isClusterClient(redis) ? redis.nodes('master') : [redis];
  const calls: Record<string, number> = {};
  for (const info of await Promise.all(masters.map((master) => master.info('commandstats')))) {
    for (const [, name, n] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[name!] = (calls[name!] ?? 0) + Number(n);
  }
  return calls;
}

/** What was called between two readings, without INFO itself and the cluster client's own upkeep. */
function diffCalls(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const diff: Record<string, number> = {};
  for (const [name, n] of Object.entries(after)) if (n > (before[name] ?? 0) && !['info', 'cluster', 'ping', 'command'].includes(name)) diff[name] = n - (before[name] ?? 0);
  return diff;
}

for (const [topology, startTopology] of Object.entries(TOPOLOGIES)) describe(`delivery stores on ${topology}`, () => {
  let dir: string;
  let stop: () => Promise<void>;
  let redis: RedisClient;
  let namespaces = 0;

  beforeAll(async () => {
    dir = makeTempDir('spear-delivery-');
    ({ client: redis, stop } = await startTopology(dir));
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await stop?.();
    removeTempDir(dir);
  });

  // Each contract test gets a namespace of its own under the test prefix (the same Redis throughout).
  deliveryStoreContract('Redis (UserLog)', async (options) => {
    const ns = new RedisKeys(`delivery-test:c${++namespaces}:`);
    const log = new UserLog(redis, ns, options);
    const history = new GroupHistory(redis, ns, 100, 600);
    return {
      forNode: (id) => new RedisDeliveryStore(redis, log, history, MEMORY_DURABILITY, new RouteTable(redis, ns, id, 30), { id, routeTtlSeconds: 30 }, new Memberships(redis, ns), new GroupPresence(redis, ns, id, 30)),
      markKnown: async (uid) => void (await redis.set(ns.known(uid), '1')),
      addMember: (group, uid) => new Memberships(redis, ns).add(group, uid),
    };
  });

  it('log keys carry a TTL (retention or the device memory, the longer), as the known mark does', async () => {
    const log = new UserLog(redis, keys, { ...TEST_LOG_OPTIONS, ttlSeconds: 600, forgetDeviceAfterSeconds: 900 });
    await log.append('ttl-user', { id: '1', from: 'a', to: 'ttl-user', body: 1, ts: Date.now() }, { kind: 'send' });
    await log.arrive('ttl-user', 'phone', { id: 'node-t', routeTtlSeconds: 30 });
    for (const key of [...Object.values(keys.log('ttl-user')), keys.known('ttl-user')]) expect(await redis.ttl(key), key).toBeGreaterThan(890);
    expect(await redis.ttl(keys.route('ttl-user'))).toBeGreaterThan(25);
    expect(await redis.sismember(keys.nodeUsers('node-t'), 'ttl-user')).toBe(1);
  });

  it('the common append is one script of four commands: no EXPIRE per message, yet the keys outlive their last write by the TTL, and a list that retention emptied gets its TTL back', async () => {
    const log = new UserLog(redis, keys, { ...TEST_LOG_OPTIONS, ttlSeconds: 600, forgetDeviceAfterSeconds: 0 });
    const { entries, index } = keys.log('quiet-ttl');
    const now = Date.now();
    const send = (id: string, ts: number) => log.append('quiet-ttl', { id, from: 'a', to: 'quiet-ttl', body: 1, ts }, { kind: 'send' });
    await send('1', now); // a new log: the full script
    expect(await redis.ttl(entries)).toBeGreaterThan(600); // the TTL and the refresh interval (60 s)
    const before = await commandCalls(redis);
    for (let i = 2; i <= 21; i++) await send(String(i), now + i);
    const calls = diffCalls(before, await commandCalls(redis));
    expect(calls).toMatchObject({ smembers: 20, hmget: 20, rpush: 20, hset: 20 });
    expect(Object.entries(calls).filter(([name]) => !['smembers', 'hmget', 'rpush', 'hset', 'evalsha', 'eval'].includes(name))).toEqual([]);
    expect((calls.evalsha ?? 0) + (calls.eval ?? 0)).toBe(20);
    // A refresh interval later, the next write sets the TTL again (a tenth of it: 60 s).
    await redis.expire(entries, 100);
    await redis.expire(index, 100);
    await send('22', now + 61_000);
    expect(await redis.ttl(entries)).toBeGreaterThan(600);
    expect(await redis.ttl(index)).toBeGreaterThan(600);
    // A retry of a stored id is answered by the fast script with its first seq, nothing written.
    expect(await send('5', now + 62_000)).toMatchObject({ seq: 5 });
    expect(await redis.llen(entries)).toBe(22);
    // A list that retention emptied (here an arrival's: its cutoff is the node's clock, and the only entry is older)...
    await log.append('old-only', { id: '1', from: 'a', to: 'old-only', body: 1, ts: now - 1_000_000 }, { kind: 'send' });
    await log.arrive('old-only', 'default');
    expect(await redis.exists(keys.log('old-only').entries)).toBe(0);
    expect(await redis.hexists(keys.log('old-only').index, '1')).toBe(0);
    // ...is made anew by the next write (the fast script: the log has state), with a TTL at once, though the state says it was set a moment ago.
    await log.append('old-only', { id: '2', from: 'a', to: 'old-only', body: 1, ts: Date.now() + 1000 }, { kind: 'send' });
    expect(await redis.ttl(keys.log('old-only').entries)).toBeGreaterThan(600);
    expect((await log.unacked('old-only', 'default')).messages.map((m) => [m.id, m.seq])).toEqual([['2', 2]]);
  });

  it('the common append keeps retention as the full script does: by age (the oldest whose ts is older than its ts minus the retention) and by count', async () => {
    const log = new UserLog(redis, keys, { ...TEST_LOG_OPTIONS, cap: 3, ttlSeconds: 600, forgetDeviceAfterSeconds: 0 });
    const now = Date.now();
    const send = (id: string, ts: number) => log.append('aging', { id, from: 'a', to: 'aging', body: id, ts }, { kind: 'send' });
    for (const [id, ts] of [['1', now - 30_000], ['2', now - 20_000], ['3', now - 10_000]] as const) await send(id, ts);
    // 595 s later by its ts: 1 and 2 are past the 600 s retention, 3 is not.
    await send('4', now + 585_000);
    const { index } = keys.log('aging');
    expect((await log.unacked('aging', 'default')).messages.map((m) => [m.id, m.seq])).toEqual([['3', 3], ['4', 4]]);
    expect(await redis.hmget(index, '1', '2', '3', '#h', '#b')).toEqual([null, null, '3', '3', String((await redis.lrange(keys.log('aging').entries, 0, -1)).reduce((n, e) => n + Buffer.byteLength(e), 0))]);
    expect(await redis.hget(index, '#o')).toBe(String(now - 10_000)); // the oldest left: 3's ts
    // By count: at most 3.
    for (const id of ['5', '6']) await send(id, now + 586_000);
    expect((await log.unacked('aging', 'default')).messages.map((m) => m.seq)).toEqual([4, 5, 6]);
    expect(await redis.hexists(index, '3')).toBe(0);
  });

  it('the common append drops at most 100 entries by age per call, as the full script does (the rest go with the next writes); each of those appends is one script', async () => {
    const log = new UserLog(redis, keys, { ...TEST_LOG_OPTIONS, cap: 1000, ttlSeconds: 600, forgetDeviceAfterSeconds: 0 });
    const now = Date.now();
    const send = (id: string, ts: number) => log.append('hoarder', { id, from: 'a', to: 'hoarder', body: 1, ts }, { kind: 'send' });
    for (let i = 1; i <= 150; i++) await send(String(i), now - 700_000 + i);
    const before = await commandCalls(redis);
    await send('151', now);
    const { entries, index } = keys.log('hoarder');
    expect([await redis.llen(entries), await redis.hget(index, '#h')]).toEqual([51, '101']);
    await send('152', now + 1);
    expect([await redis.llen(entries), await redis.hget(index, '#h')]).toEqual([2, '151']);
    const calls = diffCalls(before, await commandCalls(redis));
    expect((calls.evalsha ?? 0) + (calls.eval ?? 0)).toBe(2);
  });

  it("upgrade in place: a v1 inbox's unacked messages become the log's first seqs, for every device, once", async () => {
    // What v1 left in Redis: an id → JSON hash, a write-order sorted set, a counter.
    const v1 = keys.inbox('old-user');
    const old = [1, 2, 3].map((i) => ({ id: String(500 + i), from: 'alice', to: 'old-user', body: { i }, ts: Date.now() - 1000 + i }));
    for (const [i, m] of old.entries()) {
      await redis.hset(v1.hash, m.id, JSON.stringify(m));
      await redis.zadd(v1.order, i + 1, m.id);
    }
    await redis.set(v1.seq, 3);
    const log = new UserLog(redis, keys, TEST_LOG_OPTIONS);
    const phone = await log.arrive('old-user', 'phone');
    expect(phone.messages).toEqual(old.map((m, i) => ({ ...m, seq: i + 1 })));
    expect(await redis.exists(v1.hash, v1.order, v1.seq)).toBe(0);
    // A later store appends after them; another device still gets all.
    expect(await log.append('old-user', { id: '600', from: 'carol', to: 'old-user', body: 4, ts: Date.now() }, { kind: 'send' })).toMatchObject({ seq: 4 });
    expect((await log.arrive('old-user', 'default')).messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    // A store is the first touch as well.
    await redis.hset(keys.inbox('old-2').hash, '700', JSON.stringify({ ...old[0], id: '700', to: 'old-2' }));
    await redis.zadd(keys.inbox('old-2').order, 1, '700');
    await log.append('old-2', { id: '701', from: 'carol', to: 'old-2', body: 5, ts: Date.now() }, { kind: 'send' });
    expect((await log.unacked('old-2', 'default')).messages.map((m) => [m.id, m.seq])).toEqual([['700', 1], ['701', 2]]);
  });

  it('group history: since returns what followed; history_gone once trimmed past it', async () => {
    const history = new GroupHistory(redis, keys, 3, 600);
    for (const id of ['101', '102', '103']) await history.append({ id, group: 'g', from: 'a', body: id, ts: 1 });
    expect((await history.since('g', '101')).map((m) => m.id)).toEqual(['102', '103']);
    expect(await history.since('g', '103')).toEqual([]);
    await history.append({ id: '104', group: 'g', from: 'a', body: 4, ts: 1 });
    await expect(history.since('g', '100')).rejects.toThrow(ProtocolError);
    await expect(history.since('g', '100')).rejects.toMatchObject({ code: 'history_gone' });
    expect((await history.since('g', '101')).map((m) => m.id)).toEqual(['102', '103', '104']);
    expect(await history.since('empty', '1')).toEqual([]);
    expect((await history.latest('g', 2)).map((m) => m.id)).toEqual(['103', '104']);
    expect((await history.latest('g', 50)).map((m) => m.id)).toEqual(['102', '103', '104']);
    expect(await history.latest('empty', 5)).toEqual([]);
  });

  it('group history: pages after since, found by binary search, also with ids appended slightly out of order', async () => {
    const history = new GroupHistory(redis, keys, 1000, 600);
    const ids = Array.from({ length: 300 }, (_, i) => String(10_000 + i * 10));
    [ids[150], ids[151]] = [ids[151]!, ids[150]!]; // two nodes' publishes in the same millisecond
    for (const id of ids) await history.append({ id, group: 'paged', from: 'a', body: null, ts: 1 });
    const page = async (since: string, limit: number) => (await history.since('paged', since, limit)).map((m) => m.id);
    expect(await page('0', 3)).toEqual(ids.slice(0, 3));
    expect(await page(ids[149]!, 3)).toEqual(ids.slice(150, 153));
    expect(await page(ids[298]!, 100)).toEqual([ids[299]]);
    expect(await page(ids[299]!, 100)).toEqual([]);
    expect(await page('10005', 2)).toEqual(['10010', '10020']); // between two ids
    // Paging through all of it gives each message once, in order.
    const all: string[] = [];
    for (let since = '0'; ; ) {
      const got = await page(since, 64);
      all.push(...got);
      if (got.length < 64) break;
      since = got[got.length - 1]!;
    }
    expect(all).toEqual(ids);
  });

  it('group presence: distinct uids online across nodes; a leave removes only its node; expired entries are not counted', async () => {
    const [a, b] = [new GroupPresence(redis, keys, 'node-a', 30), new GroupPresence(redis, keys, 'node-b', 30)];
    await a.enter('room:p', 'u1');
    await b.enter('room:p', 'u1'); // u1 on two nodes at once (migrating): one uid
    await a.enter('room:p', 'u2');
    expect(await onlineIn(redis, keys, 'room:p')).toBe(2);
    await a.leave('room:p', 'u1');
    expect(await onlineIn(redis, keys, 'room:p')).toBe(2);
    await b.leave('room:p', 'u1');
    expect(await onlineIn(redis, keys, 'room:p')).toBe(1);
    // A dead node's entry counts until it expires (nobody re-arms it).
    await new GroupPresence(redis, keys, 'node-dead', 1).enter('room:p', 'u3');
    expect(await onlineIn(redis, keys, 'room:p')).toBe(2);
    expect(await onlineIn(redis, keys, 'room:p', Date.now() + 1500)).toBe(1);
    await a.refresh([['room:q', 'u9']]);
    expect(await onlineIn(redis, keys, 'room:q')).toBe(1);
    expect(await onlineIn(redis, keys, 'nobody-here')).toBe(0);
  });

  it('group traffic: messages per second over the last 10 s, and the busiest groups of this minute and the last', async () => {
    const traffic = new GroupTraffic(redis, keys);
    const t0 = Date.UTC(2026, 11, 3, 12, 0, 30); // mid-minute
    for (let i = 0; i < 30; i++) await traffic.count('busy', t0 + i * 100); // 30 messages in 3 s
    await traffic.count('quiet', t0);
    expect(await traffic.rate('busy', t0 + 5000)).toBe(3);
    expect(await traffic.rate('busy', t0 + 60_000)).toBe(0);
    expect(await traffic.rate('nobody', t0)).toBe(0);
    await traffic.count('quiet', t0 + 60_000); // the next minute
    expect(await traffic.busiest(5, t0 + 60_000)).toEqual([{ group: 'busy', messages: 30 }, { group: 'quiet', messages: 2 }]);
    expect(await traffic.busiest(1, t0)).toEqual([{ group: 'busy', messages: 30 }]);
    // Per second, oldest first, full seconds only: 10 in each of the three seconds from t0.
    const series = await traffic.series('busy', 5, t0 + 3500);
    expect(series).toEqual([-2, -1, 0, 1, 2].map((d, i) => [Math.floor(t0 / 1000 + d) * 1000, [0, 0, 10, 10, 10][i]]));
    expect((await traffic.series('busy', 1000, t0)).length).toBe(60); // at most what is kept
  });

  it('route table: nodes per uid with a TTL; a departed node is purged from its users', async () => {
    const a = new RouteTable(redis, keys, 'node-a', 30);
    const b = new RouteTable(redis, keys, 'node-b', 30);
    const log = new UserLog(redis, keys, TEST_LOG_OPTIONS);
    await log.arrive('u1', 'default', { id: 'node-a', routeTtlSeconds: 30 });
    await log.arrive('u1', 'default', { id: 'node-b', routeTtlSeconds: 30 });
    await log.arrive('u2', 'default', { id: 'node-a', routeTtlSeconds: 30 });
    expect((await a.nodesOf('u1')).sort()).toEqual(['node-a', 'node-b']);
    expect(await redis.ttl(keys.route('u1'))).toBeGreaterThan(25);
    await b.offline('u1');
    expect(await a.nodesOf('u1')).toEqual(['node-a']);
    expect(await b.purgeNode('node-a')).toBe(2);
    expect(await a.nodesOf('u1')).toEqual([]);
    expect(await a.nodesOf('u2')).toEqual([]);
  });

  it('writes nothing outside the namespace it was given (runs last: sees every key the tests above left)', async () => {
    const written = await everyKey(redis);
    expect(written.length).toBeGreaterThan(0);
    expect(written.filter((key) => keys.familyOf(key) === undefined && !key.startsWith('delivery-test:c'))).toEqual([]);
  });
});
