import { join } from 'node:path';
import { engineHandle } from './engine-handle';
import { assertPortFree, freePort } from './free-port';
import { redisPing } from './redis-status';
import { consoleFile, spawnEngine } from './spawn-engine';
import { waitReady } from './wait-ready';
import type { EngineHandle, StartEngineOptions } from './types';

/** Options for {@link startRedis}. */
export interface RedisOptions extends StartEngineOptions {
  /** Keep data across restarts with an append-only file in `dir`; off by default. */
  persistence?: boolean;
}

/** A running Redis server. */
export interface RedisHandle extends EngineHandle {
  /** "redis://127.0.0.1:port", for ioredis and the socket.io adapter. */
  readonly url: string;
}

/**
 * Starts `redis-server` on 127.0.0.1 with `redis.log` in `dir`. It runs in the
 * foreground (not daemonized) so we keep its pid and it dies with us unless `detached`.
 * Resolves once PING answers PONG; default timeout 10 s.
 */
export async function startRedis(options: RedisOptions): Promise<RedisHandle> {
  const { dir, detached = false, persistence = false, startTimeoutMs = 10_000 } = options;
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
    ],
    dir,
    detached,
  });
  const handle = engineHandle(child, { engine: 'redis', port, dir, logFile, stopTimeoutMs: 10_000 });
  await waitReady({
    what: `Redis on 127.0.0.1:${port}`,
    child,
    probe: () => redisPing(port, 500),
    timeoutMs: startTimeoutMs,
    logFiles: [logFile, consoleFile(dir, 'redis')],
    cleanup: handle.stop,
    intervalMs: 50,
  });
  return {
    ...handle,
    url: `redis://127.0.0.1:${port}`,
  };
}
