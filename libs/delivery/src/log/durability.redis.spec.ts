import Redis, { Cluster } from 'ioredis';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '@spear/catalog';
import { makeTempDir, pollUntil, removeTempDir, startRedis, startRedisCluster, type RedisHandle, type RedisOptions } from '@spear/testing';
import { GroupHistory } from '../group-history';
import { TEST_LOG_OPTIONS } from '../node/test-support/memory-stores';
import { RedisMessageStore } from '../redis-delivery-store';
import { durabilityProblem, MEMORY_DURABILITY, type Durability } from './durability';
import { UserLog } from './user-log';

/**
 * What each durability mode's ack is worth when Redis crashes, measured on
 * real redis-server processes: a master, a replica started with replicaOf, the
 * master SIGKILLed right after a burst of sends, the replica promoted
 * (REPLICAOF NO ONE, as a failover does), and its logs read back.
 */
const keys = new RedisKeys('durability-test:');
const BURST = 200;
const REPLICATED: Durability = { mode: 'replicated', replicas: 1, timeoutMs: 300 };
/** A healthy replica answers WAIT in about a millisecond; the bound only matters on a loaded CI machine. */
const REPLICATED_PATIENT: Durability = { ...REPLICATED, timeoutMs: 5000 };
const FSYNC: Durability = { ...MEMORY_DURABILITY, mode: 'fsync' };

describe('durability modes when the Redis master crashes', () => {
  let root: string;
  let runs = 0;
  let nextId = 1_000_000;
  const servers: RedisHandle[] = [];
  const clients: Redis[] = [];

  beforeAll(() => {
    root = makeTempDir('spear-durability-');
  });
  // Every process and client a test started goes, whether it passed or not (stop() also resumes a paused one).
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });
  afterAll(() => removeTempDir(root));

  async function start(options: Omit<RedisOptions, 'dir'> = {}): Promise<RedisHandle> {
    const server = await startRedis({ dir: join(root, `redis-${++runs}`), ...options });
    servers.push(server);
    return server;
  }

  async function masterAndReplica(): Promise<{ master: RedisHandle; replica: RedisHandle }> {
    const master = await start();
    return { master, replica: await start({ replicaOf: master.port }) };
  }

  /** A client that does not retry for long (its server may be killed); errors are expected, not logged. */
  function connect(server: RedisHandle): Redis {
    const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  }

  const stores: RedisMessageStore[] = [];
  afterEach(() => stores.splice(0).forEach((store) => store.close()));

  /** The message store a node builds on its connection (replicated mode adds one of its own). */
  function storeOn(redis: Redis, durability: Durability): RedisMessageStore {
    const store = new RedisMessageStore(redis, new UserLog(redis, keys, TEST_LOG_OPTIONS), new GroupHistory(redis, keys, 100, 600), durability);
    stores.push(store);
    return store;
  }

  /** `count` sends to `to`, all issued at once; the ids acked and the refusals. */
  async function burst(store: RedisMessageStore, to: string, count: number): Promise<{ acked: string[]; refused: Array<{ code?: string }> }> {
    const ids = Array.from({ length: count }, () => String(nextId++));
    const results = await Promise.allSettled(ids.map((id, i) => store.storeMessage({ id, from: 'sender', to, body: { i }, ts: Date.now() }, { kind: 'send' })));
    return {
      acked: ids.filter((_, i) => results[i]!.status === 'fulfilled'),
      refused: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { code?: string }] : [])),
    };
  }

  /** Which of `acked` the log of `uid` on `server` lacks (read as a device that acked nothing). */
  async function lostOn(server: RedisHandle, uid: string, acked: string[]): Promise<string[]> {
    const kept = new Set((await new UserLog(connect(server), keys, TEST_LOG_OPTIONS).unacked(uid, 'default')).messages.map((m) => m.id));
    return acked.filter((id) => !kept.has(id));
  }

  it('replicated: every send of a burst is acked, and the promoted replica has every one after the master is SIGKILLed (0 lost)', async () => {
    const { master, replica } = await masterAndReplica();
    const onMaster = connect(master);
    // The replica's side of the link is up; wait until the master counts it too (it reports a replica online after its first ack).
    const state = await pollUntil(async () => (await onMaster.info('replication')).match(/slave0:.*state=(\w+)/)?.[1], (st) => st === 'online');
    expect(state).toBe('online');
    const { acked, refused } = await burst(storeOn(onMaster, REPLICATED_PATIENT), 'alice', BURST);
    expect(refused).toEqual([]);
    expect(acked).toHaveLength(BURST);

    await master.kill();
    await replica.promote();
    const lost = await lostOn(replica, 'alice', acked);
    console.info(`[durability] replicated: ${acked.length} acked, ${lost.length} lost (master SIGKILLed, replica promoted)`);
    expect(lost).toEqual([]);
  });

  it('replica frozen: replicated refuses every send (none acked, none to lose); memory acks every send and the failover loses them all', async () => {
    const { master, replica } = await masterAndReplica();
    const onMaster = connect(master);
    // SIGSTOP alone is no partition: the frozen replica's socket stays open, and what of the
    // master's stream fits in the kernel's socket buffers is applied on SIGCONT (measured with
    // SIGSTOP only: memory mode lost 0, 16, 84 of 200 in three runs). A master drops a replica
    // silent for repl-timeout (60 s by default; 1 s here); from then on writes reach no replica.
    await onMaster.config('SET', 'repl-timeout', '1');
    replica.pause();
    const replicas = await pollUntil(async () => (await onMaster.info('replication')).match(/connected_slaves:(\d+)/)?.[1], (n) => n === '0');
    expect(replicas, 'the master dropped the frozen replica').toBe('0');

    // The burst's sends share one WAIT (group commit) on the store's own connection: the node's
    // connection, which arrivals and acks use, answers meanwhile as if nothing waited.
    const began = Date.now();
    const refusing = burst(storeOn(onMaster, REPLICATED), 'bob', BURST);
    const pingBegan = Date.now();
    await onMaster.ping();
    const pingMs = Date.now() - pingBegan;
    const replicated = await refusing;
    const tookMs = Date.now() - began;
    expect(replicated.acked).toEqual([]);
    expect(replicated.refused.map((e) => e.code)).toEqual(Array(BURST).fill('unavailable'));
    // Loose bounds for a loaded machine; one WAIT per send on one connection would take 200 x 300 ms = 60 s.
    expect(pingMs).toBeLessThan(REPLICATED.timeoutMs);
    expect(tookMs).toBeLessThan(REPLICATED.timeoutMs * 10);
    console.info(`[durability] replicated, replica frozen: ${BURST} sent, 0 acked, ${replicated.refused.length} refused (unavailable) in ${tookMs} ms; the node's connection answered a PING in ${pingMs} ms meanwhile`);

    const memory = await burst(storeOn(onMaster, MEMORY_DURABILITY), 'carol', BURST);
    expect(memory.refused).toEqual([]);
    expect(memory.acked).toHaveLength(BURST);

    await master.kill();
    replica.resume();
    await replica.promote();
    const lost = await lostOn(replica, 'carol', memory.acked);
    console.info(`[durability] memory, replica frozen: ${memory.acked.length} acked, ${lost.length} lost (master SIGKILLed, replica SIGCONT + promoted)`);
    expect(lost).toEqual(memory.acked);
  });

  it('replicated with no replica: a refusal is answered as itself (nothing was written, so no replica is waited for); a stored send is refused unavailable', async () => {
    const redis = connect(await start());
    const log = new UserLog(redis, keys, { ...TEST_LOG_OPTIONS, knownUsersOnly: true });
    const store = new RedisMessageStore(redis, log, new GroupHistory(redis, keys, 100, 600), REPLICATED);
    stores.push(store);
    const send = (to: string) => store.storeMessage({ id: String(nextId++), from: 'sender', to, body: 1, ts: Date.now() }, { kind: 'send' });
    // Waiting for a replica would turn it into 'unavailable': the code is the proof.
    await expect(send('stranger')).rejects.toMatchObject({ code: 'forbidden' });
    await redis.set(keys.known('friend'), '1');
    await expect(send('friend')).rejects.toMatchObject({ code: 'unavailable' }); // the full script's write (a new log)
    await expect(send('friend')).rejects.toMatchObject({ code: 'unavailable' }); // the fast script's
    expect(await redis.llen(keys.log('friend').entries)).toBe(2);
  });

  it('durabilityProblem: fsync needs AOF with appendfsync always; memory and replicated ask nothing of Redis', async () => {
    const plain = connect(await start());
    const everysec = connect(await start({ persistence: true }));
    const always = connect(await start({ persistence: true, appendfsync: 'always' }));

    expect(await durabilityProblem(plain, FSYNC)).toMatch(/appendonly=no appendfsync=everysec/);
    expect(await durabilityProblem(everysec, FSYNC)).toMatch(/appendonly=yes appendfsync=everysec/);
    expect(await durabilityProblem(always, FSYNC)).toBeUndefined();
    for (const durability of [MEMORY_DURABILITY, REPLICATED]) {
      expect(await durabilityProblem(plain, durability)).toBeUndefined();
    }
  });

  it('replicated on a Redis Cluster: sends to users on every shard are acked after their own master has them on a replica; a killed master loses none of them (0 lost after the failover)', async () => {
    const cluster = await startRedisCluster({ dir: join(root, `cluster-${++runs}`) });
    try {
      const client = new Cluster(cluster.seeds.map((url) => ({ host: '127.0.0.1', port: Number(new URL(url).port) })), { enableAutoPipelining: true, redisOptions: { maxRetriesPerRequest: 1 } });
      client.on('error', () => undefined);
      clients.push(client as unknown as Redis);
      await pollUntil(async () => client.status, (status) => status === 'ready');
      // One recipient per master, so the WAITs of one burst go to three masters at once.
      const recipients = new Map<number, string>();
      for (let i = 0; recipients.size < 3 && i < 300; i++) {
        const owner = await cluster.masterOf(keys.log(`u${i}`).entries);
        if (!recipients.has(owner)) recipients.set(owner, `u${i}`);
      }
      expect(recipients.size).toBe(3);
      const store = storeOn(client as unknown as Redis, REPLICATED_PATIENT);
      const bursts = await Promise.all([...recipients.values()].map((uid) => burst(store, uid, BURST / 4)));
      for (const { refused, acked } of bursts) {
        expect(refused).toEqual([]);
        expect(acked).toHaveLength(BURST / 4);
      }

      // The WAIT goes to the master that took the write: with one shard's replica gone, sends to that shard are refused, the others' acked.
      const [[victimPort, victimUid], [lonelyPort, lonelyUid], [, healthyUid]] = [...recipients.entries()] as Array<[number, string]>;
      const [lonelyReplica] = await cluster.replicasOf(lonelyPort);
      await cluster.kill(lonelyReplica!);
      const lonely = new Redis(`redis://127.0.0.1:${lonelyPort}`);
      lonely.on('error', () => undefined);
      clients.push(lonely);
      await pollUntil(async () => (await lonely.info('replication')).match(/connected_slaves:(\d+)/)?.[1], (n) => n === '0');
      const shortWait = storeOn(client as unknown as Redis, REPLICATED);
      const [refusedShard, healthyShard] = await Promise.all([burst(shortWait, lonelyUid!, 20), burst(shortWait, healthyUid!, 20)]);
      expect(refusedShard.acked).toEqual([]);
      expect(refusedShard.refused.map((e) => e.code)).toEqual(Array(20).fill('unavailable'));
      expect(healthyShard.refused).toEqual([]);
      expect(healthyShard.acked).toHaveLength(20);

      await cluster.kill(victimPort);
      const failover = await cluster.waitForFailover(victimPort);
      const reader = new Redis(`redis://127.0.0.1:${failover.port}`, { maxRetriesPerRequest: 1 });
      reader.on('error', () => undefined);
      clients.push(reader);
      const kept = new Set((await new UserLog(reader, keys, TEST_LOG_OPTIONS).unacked(victimUid, 'default')).messages.map((m) => m.id));
      const lost = bursts[0]!.acked.filter((id) => !kept.has(id));
      console.info(`[durability] replicated on a cluster: ${bursts[0]!.acked.length} acked to ${victimUid}, ${lost.length} lost (its master SIGKILLed, replica took over in ${failover.ms} ms)`);
      expect(lost).toEqual([]);
    } finally {
      await cluster.stop();
    }
  }, 60_000);
});
