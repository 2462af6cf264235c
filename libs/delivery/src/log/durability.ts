import type Redis from 'ioredis';
import { guardRedisClient } from '@spear/bus';
import { ProtocolError } from '@spear/protocol';

/**
 * What "stored" means when a send is acked (the profile's delivery.durability):
 * - `memory`: the message is in Redis's memory. A Redis crash loses what was
 *   not yet persisted (with AOF `everysec`, up to about a second of writes).
 * - `fsync`: Redis runs AOF with `appendfsync always`: the write is on disk
 *   before Redis answers. Checked at startup (the node refuses to start on a
 *   Redis without it); a failover to a replica may still lose what it lacks.
 * - `replicated`: stores are followed by `WAIT replicas timeoutMs` (one per
 *   event-loop turn, on a connection of their own: ReplicatedWriter); a send
 *   is acked only when that many replicas have it, refused with `unavailable`
 *   otherwise (the message may still be delivered: it is in the master). A
 *   master killed after the ack loses nothing a promoted replica has.
 */
export interface Durability {
  mode: 'memory' | 'fsync' | 'replicated';
  /** `replicated`: replicas that must have the write. */
  replicas: number;
  /** `replicated`: how long to wait for them. */
  timeoutMs: number;
}

export const MEMORY_DURABILITY: Durability = { mode: 'memory', replicas: 1, timeoutMs: 1000 };

/**
 * Where durable writes go, as the mode asks. Guarantee: `write` resolves only
 * once its command was answered and (replicated) at least `replicas` replicas
 * acknowledged it; a command that failed rejects with its error, a write not
 * replicated in time with ProtocolError('unavailable').
 */
export interface DurableWriter {
  write<T>(command: (redis: Redis) => Promise<T>): Promise<T>;
  close(): void;
}

/** memory and fsync: the command alone, on the node's connection (fsync is Redis's own doing). */
class DirectWriter implements DurableWriter {
  constructor(private readonly redis: Redis) {}
  write<T>(command: (redis: Redis) => Promise<T>): Promise<T> {
    return command(this.redis);
  }
  /** Nothing of its own to close: the node's connection is the node's. */
  close(): void {
    return undefined;
  }
}

/**
 * replicated: group commit on a connection of its own. WAIT blocks the
 * connection it is sent on and covers every write sent on it before, so the
 * writes of one event-loop turn share one WAIT sent after them (one round trip
 * more for the batch, none per write), and arrivals, acks and route refreshes
 * on the node's own connection never queue behind it (with a replica down,
 * each WAIT lasts `timeoutMs`).
 */
class ReplicatedWriter implements DurableWriter {
  private waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly redis: Redis,
    private readonly durability: Durability,
  ) {}

  async write<T>(command: (redis: Redis) => Promise<T>): Promise<T> {
    const reply = command(this.redis);
    const replicated = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    replicated.catch(() => undefined); // observed below, unless the command itself failed first
    this.schedule();
    const value = await reply;
    await replicated;
    return value;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.waiting;
      this.waiting = [];
      const { replicas, timeoutMs } = this.durability;
      this.redis.wait(replicas, timeoutMs).then(
        (acknowledged) => {
          const error = acknowledged >= replicas ? undefined : new ProtocolError('unavailable', `stored, but not on ${replicas} Redis replica(s) within ${timeoutMs} ms`);
          for (const w of batch) {
            if (error) w.reject(error);
            else w.resolve();
          }
        },
        (error: Error) => {
          for (const w of batch) w.reject(error);
        },
      );
    });
  }

  close(): void {
    this.redis.disconnect();
  }
}

/**
 * The writer `durability` asks for; replicated opens a connection of its own
 * (closed by `close`), which `prepare` teaches the commands it will run.
 */
export function durableWriter(redis: Redis, durability: Durability, prepare: (connection: Redis) => void = () => undefined): DurableWriter {
  if (durability.mode !== 'replicated') return new DirectWriter(redis);
  const own = redis.duplicate();
  // The duplicate keeps the main client's credentials and TLS: it gets the same guard (no password on an error, no uncaught socket error).
  guardRedisClient(own);
  prepare(own);
  return new ReplicatedWriter(own, durability);
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
