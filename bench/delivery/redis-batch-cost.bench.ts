/**
 * What Redis pays per write it receives, against per command: the same
 * commands, each in its own write (ioredis with nothing batching it), and
 * corked in batches of 500 (an explicit pipeline), on a Redis of its own.
 * Reports Redis CPU (INFO used_cpu_*) per command, two rounds each. Why it
 * matters: see "Redis per batch, not per command" in docs/BENCHMARKS.md.
 *
 *   node --import tsx bench/delivery/redis-batch-cost.bench.ts   # ~20 s
 */
import Redis from 'ioredis';
import { join } from 'node:path';
import { makeTempDir, removeTempDir, startRedis } from '@spear/testing';
import { redisCpuSeconds } from './redis-cpu';

const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 100_000);
const IN_FLIGHT = 500;

async function main(): Promise<void> {
  const dir = makeTempDir('spear-batch-cost-');
  const server = await startRedis({ dir: join(dir, 'redis') });
  const redis = new Redis(server.url);
  try {
    const ways: Array<[string, () => Promise<unknown>]> = [
      // IN_FLIGHT commands in flight, each written as it is issued: Redis mostly reads them one by one.
      ['PING, each its own write', () => Promise.all(Array.from({ length: IN_FLIGHT }, () => redis.ping()))],
      ['PING, corked batches', () => Array.from({ length: IN_FLIGHT }).reduce<ReturnType<Redis['pipeline']>>((p) => p.ping(), redis.pipeline()).exec()],
      ['HSET, each its own write', () => Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => redis.hset(`h:{${i}}`, 'default', i, 'default#t', Date.now())))],
      ['HSET, corked batches', () => Array.from({ length: IN_FLIGHT }).reduce<ReturnType<Redis['pipeline']>>((p, _, i) => p.hset(`h:{${i}}`, 'default', i, 'default#t', Date.now()), redis.pipeline()).exec()],
    ];
    for (const round of [1, 2]) {
      for (const [name, batch] of ways) {
        const before = await redisCpuSeconds(redis);
        for (let sent = 0; sent < COMMANDS; sent += IN_FLIGHT) await batch();
        const us = (((await redisCpuSeconds(redis)) - before) / COMMANDS) * 1e6;
        console.log(`${`${name} #${round}`.padEnd(30)} Redis CPU per command: ${us.toFixed(2)} µs`);
      }
    }
  } finally {
    redis.disconnect();
    await server.stop();
    removeTempDir(dir);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
