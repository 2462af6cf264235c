import type Redis from 'ioredis';
import { ProtocolError } from '@spear/protocol';

/**
 * What "stored" means when a send is acked (the profile's delivery.durability):
 * - `memory`: the message is in Redis's memory. A Redis crash loses what was
 *   not yet persisted (with AOF `everysec`, up to about a second of writes).
 * - `fsync`: Redis runs AOF with `appendfsync always`: the write is on disk
 *   before Redis answers. Checked at startup (the node refuses to start on a
 *   Redis without it); a failover to a replica may still lose what it lacks.
 * - `replicated`: every store is followed, in the same round trip, by
 *   `WAIT replicas timeoutMs`; the send is acked only when that many replicas
 *   have it, refused with `unavailable` otherwise (the message may still be
 *   delivered: it is in the master). A master killed after the ack loses
 *   nothing a promoted replica must have.
 */
export interface Durability {
  mode: 'memory' | 'fsync' | 'replicated';
  /** `replicated`: replicas that must have the write. */
  replicas: number;
  /** `replicated`: how long to wait for them. */
  timeoutMs: number;
}

export const MEMORY_DURABILITY: Durability = { mode: 'memory', replicas: 1, timeoutMs: 1000 };

/** A Redis client or a pipeline of one: custom commands are defined on both. */
export type RedisTarget = Redis | ReturnType<Redis['pipeline']>;

/**
 * Runs `command` as durably as the mode asks: alone (memory, fsync), or
 * followed by WAIT in the same pipeline (replicated: still one round trip).
 * `command` issues exactly one command on the target it is given.
 */
export async function durably<T>(redis: Redis, durability: Durability, command: (target: RedisTarget) => unknown): Promise<T> {
  if (durability.mode !== 'replicated') return (await command(redis)) as T;
  const pipeline = redis.pipeline();
  command(pipeline);
  pipeline.wait(durability.replicas, durability.timeoutMs);
  const [[error, reply], [waitError, replicas]] = (await pipeline.exec()) as Array<[Error | null, unknown]> as [[Error | null, unknown], [Error | null, unknown]];
  if (error) throw error;
  if (waitError || (replicas as number) < durability.replicas) {
    throw new ProtocolError('unavailable', `stored, but not on ${durability.replicas} Redis replica(s) within ${durability.timeoutMs} ms`);
  }
  return reply as T;
}

/**
 * Startup check of `fsync` mode: Redis must run AOF with `appendfsync always`.
 * Resolves to a reason to refuse starting, or undefined when the Redis
 * complies (or does not let CONFIG be read: managed Redis; then the operator's word stands).
 */
export async function durabilityProblem(redis: Redis, durability: Durability): Promise<string | undefined> {
  if (durability.mode !== 'fsync') return undefined;
  let config: string[];
  try {
    config = [...((await redis.config('GET', 'appendonly')) as string[]), ...((await redis.config('GET', 'appendfsync')) as string[])];
  } catch {
    return undefined;
  }
  const value = (name: string) => config[config.indexOf(name) + 1];
  if (value('appendonly') === 'yes' && value('appendfsync') === 'always') return undefined;
  return `delivery.durability.mode is fsync, but Redis runs appendonly=${value('appendonly')} appendfsync=${value('appendfsync')} (needs yes / always)`;
}
