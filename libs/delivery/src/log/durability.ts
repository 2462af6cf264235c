import type { Redis } from 'ioredis';
import { guardClusterNodes, guardRedisClient, isClusterClient, masterConnectionFor, type RedisClient } from '@spear/bus';
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
 *   master killed after the ack loses nothing a promoted replica has. On a
 *   Redis Cluster the WAIT goes to the master that took the write (the one
 *   owning the key's slot), over the connection that carried it.
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
 * acknowledged it (unless its reply says it wrote nothing: `mayHaveWritten`
 * false); a command that failed rejects with its error, a write not
 * replicated in time with ProtocolError('unavailable').
 */
export interface DurableWriter {
  /** `key`: a key the command writes (on a cluster, the shard whose replicas must have it); `mayHaveWritten`: false for a reply that says nothing was written. */
  write<T>(key: string, command: (redis: RedisClient) => Promise<T>, mayHaveWritten?: (value: T) => boolean): Promise<T>;
  close(): void;
}

/** memory and fsync: the command alone, on the node's connection (fsync is Redis's own doing). */
class DirectWriter implements DurableWriter {
  constructor(private readonly redis: RedisClient) {}
  write<T>(_key: string, command: (redis: RedisClient) => Promise<T>): Promise<T> {
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
  /** The writes of this turn, per connection that carried them (one on a single Redis, one per shard on a cluster). */
  private waiting = new Map<Redis, Waiter[]>();
  private scheduled = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly durability: Durability,
  ) {}

  async write<T>(key: string, command: (redis: RedisClient) => Promise<T>, mayHaveWritten: (value: T) => boolean = () => true): Promise<T> {
    const reply = command(this.redis);
    const connection = this.connectionFor(key);
    if (!connection) {
      // A cluster client that has not learnt the slots yet (its first commands wait in its queue): once the write is answered it knows the shard.
      const value = await reply;
      if (mayHaveWritten(value)) await this.awaitReplicas(this.connectionFor(key));
      return value;
    }
    const replicated = this.awaitReplicas(connection);
    replicated.catch(() => undefined); // observed below, unless the command itself failed first or wrote nothing
    const value = await reply;
    if (mayHaveWritten(value)) await replicated;
    return value;
  }

  /** The connection the command for `key` went out on: the client itself, or on a cluster its connection to the key's master. */
  private connectionFor(key: string): Redis | undefined {
    return isClusterClient(this.redis) ? masterConnectionFor(this.redis, key) : this.redis;
  }

  private awaitReplicas(connection: Redis | undefined): Promise<void> {
    // A cluster that knows no owner for the slot is mid-failover: the write's own reply says more, this only refuses the ack.
    if (!connection) return Promise.reject(new ProtocolError('unavailable', 'stored, but the Redis Cluster has no master for it to wait on'));
    return new Promise<void>((resolve, reject) => {
      const batch = this.waiting.get(connection);
      if (batch) batch.push({ resolve, reject });
      else this.waiting.set(connection, [{ resolve, reject }]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batches = this.waiting;
      this.waiting = new Map();
      for (const [connection, batch] of batches) this.waitOn(connection, batch);
    });
  }

  private waitOn(connection: Redis, batch: Waiter[]): void {
    const { replicas, timeoutMs } = this.durability;
    connection.wait(replicas, timeoutMs).then(
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
  }

  close(): void {
    this.redis.disconnect();
  }
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * The writer `durability` asks for; replicated opens a connection of its own
 * (closed by `close`), which `prepare` teaches the commands it will run.
 */
export function durableWriter(redis: RedisClient, durability: Durability, prepare: (connection: RedisClient) => void = () => undefined): DurableWriter {
  if (durability.mode !== 'replicated') return new DirectWriter(redis);
  // The duplicate keeps the main client's credentials and TLS: it gets the same guard (no password on an error, no uncaught socket error).
  let own: RedisClient;
  if (isClusterClient(redis)) {
    own = redis.duplicate();
    guardClusterNodes(own);
  } else {
    own = redis.duplicate();
    guardRedisClient(own);
  }
  prepare(own);
  return new ReplicatedWriter(own, durability);
}

/**
 * Startup check of `fsync` mode: Redis must run AOF with `appendfsync always`.
 * Resolves to a reason to refuse starting, or undefined when the Redis
 * complies (or does not let CONFIG be read: managed Redis; then the operator's word stands).
 */
export async function durabilityProblem(redis: RedisClient, durability: Durability): Promise<string | undefined> {
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
