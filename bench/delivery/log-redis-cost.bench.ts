/**
 * What one 1:1 message costs Redis itself, with nothing else on the machine's
 * mind: N stores (each answering where the recipient is), then each message
 * acked, as a spear node issues them (one connection, pipelined by ioredis),
 * on a Redis of its own. Reports Redis CPU (INFO used_cpu_*) and commands
 * (INFO commandstats, calls inside scripts included) per message.
 *
 *   node --import tsx bench/delivery/log-redis-cost.bench.ts
 *   BENCH_BASELINE_SRC=/tmp/spear-v1 node --import tsx bench/delivery/log-redis-cost.bench.ts   # + v1's inbox, from a checkout before issue #18
 *
 * Systems: `logs` (UserLog: append, then ack {upTo} per message, as the SDK
 * does), `logs-ids` (ack {ids}), `logs-copies` (each send also appended to
 * the sender's log); `v1-inbox` (Inbox.add, Inbox.ack) when
 * BENCH_BASELINE_SRC names a checkout. BENCH_MESSAGES (default 50,000),
 * BENCH_USERS (recipients, default 2,500); BENCH_COMMANDSTATS=1 prints each
 * command's calls and time (evalsha's includes the commands it calls).
 * BENCH_FLOORS=1 adds what the store's writes cost Redis without Lua, as a
 * floor for a Lua-free append: `floor-multi` (MULTI, HINCRBY of the seq,
 * RPUSH of the entry, HSET of the id, SMEMBERS of the route, EXEC) and
 * `floor-pipeline` (the same four without MULTI). Neither is a log (no
 * dedup, retention or TTL); the ack is the log's one HSET in both.
 */
import Redis from 'ioredis';
import { join } from 'node:path';
import { RedisKeys } from '@spear/catalog';
import { UserLog, type LogOptions } from '@spear/delivery';
import type { MsgEvent } from '@spear/protocol';
import { makeTempDir, removeTempDir, startRedis } from '@spear/testing';
import { redisCpuSeconds } from './redis-cpu';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 50_000);
const USERS = Number(process.env.BENCH_USERS ?? 2_500);
const BASELINE_SRC = process.env.BENCH_BASELINE_SRC;
const OPTIONS: LogOptions = { cap: 1000, ttlSeconds: 7 * 86400, maxBytes: 8 << 20, maxDevices: 16, forgetDeviceAfterSeconds: 30 * 86400, knownUsersOnly: false };
const TEXT = 'the quick brown fox jumps over the lazy dog, twice: the quick brow';

interface System {
  store(message: MsgEvent): Promise<unknown>;
  ack(message: MsgEvent, seq: number): Promise<unknown>;
}

async function redisCpuAndCalls(redis: Redis): Promise<{ cpu: number; calls: number }> {
  const seconds = await redisCpuSeconds(redis);
  const stats = await redis.info('commandstats');
  const calls = [...stats.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].filter(([, name]) => name !== 'info').reduce((n, [, , c]) => n + Number(c), 0);
  return { cpu: seconds, calls };
}

async function run(name: string, redis: Redis, system: System): Promise<void> {
  let id = 7_000_000_000_000n;
  const messages: MsgEvent[] = Array.from({ length: MESSAGES }, (_, i) => ({ id: String(id++), from: `s${i % USERS}`, to: `r${i % USERS}`, body: { s: i, t: Date.now(), text: TEXT }, ts: Date.now() }));
  await redis.config('RESETSTAT');
  const before = await redisCpuAndCalls(redis);
  // Windows of 500 in flight: a node's pipelined load without one giant burst.
  const seqs: number[] = [];
  for (let i = 0; i < messages.length; i += 500) {
    const window = messages.slice(i, i + 500);
    const stored = await Promise.all(window.map((m) => system.store(m)));
    stored.forEach((s, k) => (seqs[i + k] = (s as { seq?: number }).seq ?? 0));
  }
  const between = await redisCpuAndCalls(redis);
  for (let i = 0; i < messages.length; i += 500) await Promise.all(messages.slice(i, i + 500).map((m, k) => system.ack(m, seqs[i + k]!)));
  const after = await redisCpuAndCalls(redis);
  const us = (a: { cpu: number }, b: { cpu: number }) => (((b.cpu - a.cpu) / MESSAGES) * 1e6).toFixed(1);
  const calls = (a: { calls: number }, b: { calls: number }) => ((b.calls - a.calls) / MESSAGES).toFixed(2);
  if (process.env.BENCH_COMMANDSTATS) {
    const stats = await redis.info('commandstats');
    for (const [, cmd, calls, usec] of stats.matchAll(/cmdstat_(\w+):calls=(\d+),usec=(\d+)/g)) if (cmd !== 'info' && cmd !== 'config') console.log(`  ${cmd}: ${(Number(calls) / MESSAGES).toFixed(2)} calls/message, ${(Number(usec) / Number(calls)).toFixed(2)} µs each`);
  }
  console.log(`${name.padEnd(14)} Redis CPU per message: store ${us(before, between)} µs + ack ${us(between, after)} µs = ${us(before, after)} µs; commands: ${calls(before, between)} + ${calls(between, after)}`);
}

async function main(): Promise<void> {
  const dir = makeTempDir('spear-log-cost-');
  const server = await startRedis({ dir: join(dir, 'redis') });
  const redis = new Redis(server.url);
  try {
    const systems: Array<[string, (keys: RedisKeys) => Promise<System>]> = [
      ['logs', async (keys) => logSystem(redis, keys, 'upTo', false)],
      ['logs-ids', async (keys) => logSystem(redis, keys, 'ids', false)],
      ['logs-copies', async (keys) => logSystem(redis, keys, 'upTo', true)],
    ];
    if (BASELINE_SRC) systems.unshift(['v1-inbox', (keys) => v1System(redis, keys)]);
    if (process.env.BENCH_FLOORS) systems.push(['floor-multi', async (keys) => floorSystem(redis, keys, true)], ['floor-pipeline', async (keys) => floorSystem(redis, keys, false)]);
    for (const round of [1, 2]) {
      for (const [name, make] of systems) await run(`${name}#${round}`, redis, await make(new RedisKeys(`bench-${name}-${round}:`)));
    }
  } finally {
    redis.disconnect();
    await server.stop();
    removeTempDir(dir);
  }
}

function logSystem(redis: Redis, keys: RedisKeys, ack: 'upTo' | 'ids', copies: boolean): System {
  const log = new UserLog(redis, keys, OPTIONS);
  return {
    async store(m) {
      const stored = await log.append(m.to, m, { kind: 'send' });
      if (copies) await log.append(m.from, m, { kind: 'copy' });
      return stored;
    },
    ack: (m, seq) => log.ack(m.to, 'default', ack === 'upTo' ? { upTo: seq } : { ids: [m.id] }),
  };
}

/** The store's writes as plain commands (see BENCH_FLOORS in the header): what Redis pays per command, without a script. */
function floorSystem(redis: Redis, keys: RedisKeys, atomic: boolean): System {
  return {
    async store(m) {
      const log = keys.log(m.to);
      // The message's JSON as the entry: about the size of UserLog's, whose head this floor does not need.
      const batch = (atomic ? redis.multi() : redis.pipeline()).hincrby(log.devices, '#seq', 1).rpush(log.entries, JSON.stringify(m)).hset(log.index, m.id, m.ts).smembers(keys.route(m.to));
      const replies = (await batch.exec()) ?? [];
      return { seq: Number(replies[0]?.[1] ?? 0) };
    },
    ack: (m, seq) => redis.hset(keys.log(m.to).devices, 'default', seq, 'default#t', Date.now()),
  };
}

/** v1's Inbox from a checkout before issue #18 (BENCH_BASELINE_SRC), loaded at run time. */
async function v1System(redis: Redis, keys: RedisKeys): Promise<System> {
  const { Inbox } = (await import(join(BASELINE_SRC!, 'libs/delivery/src/inbox.ts'))) as { Inbox: new (r: Redis, k: RedisKeys, cap: number, ttl: number) => { add(m: MsgEvent): Promise<string[]>; ack(uid: string, ids: string[]): Promise<void> } };
  const inbox = new Inbox(redis, keys, OPTIONS.cap, OPTIONS.ttlSeconds);
  return { store: (m) => inbox.add(m), ack: (m) => inbox.ack(m.to, [m.id]) };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
