import { join } from 'node:path';
import { engineHandle } from './engine-handle';
import { assertPortFree, freePort } from './free-port';
import { redisPing } from './redis-status';
import { consoleFile, spawnEngine } from './spawn-engine';
import { tcpRequest } from './tcp-request';
import { waitReady } from './wait-ready';
import type { EngineHandle, StartEngineOptions } from './types';

/** Options for {@link startRedis}. */
export interface RedisOptions extends StartEngineOptions {
  /** Keep data across restarts with an append-only file in `dir`; off by default. */
  persistence?: boolean;
  /**
   * With persistence, when the append-only file is fsynced: `always` before each write
   * is answered (delivery.durability `fsync` requires it), `everysec` once a second
   * (the default: a crash of the machine loses up to about a second of writes).
   */
  appendfsync?: 'always' | 'everysec';
  /** Memory bound, e.g. '512mb'; default '1gb'. Writes past it are refused (noeviction). */
  maxmemory?: string;
  /** Port of a master on 127.0.0.1: start as its replica; resolves once the first sync is done. */
  replicaOf?: number;
}

/** A running Redis server. */
export interface RedisHandle extends EngineHandle {
  /** "redis://127.0.0.1:port", for ioredis and the socket.io adapter. */
  readonly url: string;
  /** SIGSTOP: the server freezes with its sockets open and answers nothing (a hung host). */
  pause(): void;
  /** SIGCONT: a paused server runs on. stop() resumes it first as well. */
  resume(): void;
  /** SIGKILL, as a crash: nothing flushed, no shutdown; resolves once the process is gone. */
  kill(): Promise<void>;
  /** REPLICAOF NO ONE: a replica becomes a master with what it has, as a failover does. */
  promote(): Promise<void>;
}

/**
 * Starts `redis-server` on 127.0.0.1 with `redis.log` in `dir`. It runs in the
 * foreground (not daemonized) so we keep its pid and it dies with us unless `detached`.
 * Resolves once PING answers PONG (a replica: once its master link is up); default timeout 10 s.
 */
export async function startRedis(options: RedisOptions): Promise<RedisHandle> {
  const { dir, detached = false, persistence = false, appendfsync = 'everysec', maxmemory = '1gb', replicaOf, startTimeoutMs = 10_000 } = options;
  const port = options.port ?? (await freePort());
  await assertPortFree(port, 'Redis');
  const logFile = join(dir, 'redis.log');
  const child = await spawnEngine({
    engine: 'redis',
    command: 'redis-server',
    args: [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--daemonize', 'no',
      '--dir', dir,
      '--logfile', logFile,
      // RDB snapshots stay off in both modes; persistence means the append-only file.
      '--save', '',
      '--appendonly', persistence ? 'yes' : 'no',
      '--appendfsync', appendfsync,
      // Never evict: eviction would silently drop keys the cluster relies on (tickets'
      // nonces, so a replayed ticket would pass; users' logs, so acked messages would
      // vanish). With noeviction a full Redis refuses writes with an OOM error instead,
      // which callers see and report.
      '--maxmemory', maxmemory,
      '--maxmemory-policy', 'noeviction',
      // A replica's first sync starts at once (by default a master waits 5 s for more replicas).
      '--repl-diskless-sync-delay', '0',
      ...(replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(replicaOf)]),
    ],
    dir,
    detached,
  });
  const handle = engineHandle(child, { engine: 'redis', port, dir, logFile, stopTimeoutMs: 10_000 });
  // A stopped process ignores SIGTERM until continued; resume first so stop() stays quick.
  const resume = () => void child.kill('SIGCONT');
  const stop = () => {
    resume();
    return handle.stop();
  };
  await waitReady({
    what: replicaOf === undefined ? `Redis on 127.0.0.1:${port}` : `Redis replica on 127.0.0.1:${port} of :${replicaOf}`,
    child,
    probe: () => (replicaOf === undefined ? redisPing(port, 500) : masterLinkUp(port)),
    timeoutMs: startTimeoutMs,
    logFiles: [logFile, consoleFile(dir, 'redis')],
    cleanup: stop,
    intervalMs: 50,
  });
  return {
    ...handle,
    url: `redis://127.0.0.1:${port}`,
    stop,
    pause: () => void child.kill('SIGSTOP'),
    resume,
    kill: () => {
      child.kill('SIGKILL');
      return handle.stop();
    },
    promote: async () => {
      const reply = await redisCommand(port, 'REPLICAOF NO ONE');
      if (!reply?.startsWith('+OK')) throw new Error(`REPLICAOF NO ONE on 127.0.0.1:${port} answered ${reply ?? 'nothing'}`);
    },
  };
}

/** True once the replica on `port` has its master link up (the first sync is done). */
async function masterLinkUp(port: number): Promise<boolean> {
  const reply = await redisCommand(port, 'INFO replication', (text) => text.startsWith('-') || /master_link_status:\w+\r\n/.test(text));
  return /master_link_status:up\r\n/.test(reply ?? '');
}

/** One inline command on a fresh connection; the reply's text (by default its first line), or null. */
function redisCommand(port: number, command: string, complete = (text: string) => text.includes('\r\n')): Promise<string | null> {
  return tcpRequest(port, `${command}\r\n`, { timeoutMs: 2_000, complete });
}
