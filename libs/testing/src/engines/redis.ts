import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { engineHandle } from './engine-handle';
import { assertPortFree, freePort } from './free-port';
import { writeAclFile, type RedisAclUser } from './redis-acl';
import { redisPing, redisRequest } from './redis-status';
import { consoleFile, spawnEngine } from './spawn-engine';
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
  /**
   * Clients must authenticate as this ACL user (every command, key and
   * channel allowed); the `default` user is off, so a client without it gets
   * NOAUTH. Not with `replicaOf`.
   */
  user?: RedisAclUser;
  /**
   * Also listen with TLS (on `tls.port`, or a free port) with this PEM
   * certificate and key; clients are not asked for certificates. The
   * plaintext port stays open (the readiness probe and tests that compare).
   */
  tls?: { certFile: string; keyFile: string; port?: number };
  /**
   * Start as a Redis Cluster node: `cluster-enabled yes` with its own `nodes.conf`
   * in `dir` (kept across restarts, so the node keeps its id and rejoins), the
   * cluster bus on `busPort` (chosen, not port + 10000, which would fall in the
   * ephemeral range), and a peer counted failing after `nodeTimeoutMs`. Ready once
   * PING answers: forming the cluster is startRedisCluster's work. Not with
   * `replicaOf` or `user`.
   */
  cluster?: { busPort: number; nodeTimeoutMs: number };
}

/** A running Redis server. */
export interface RedisHandle extends EngineHandle {
  /** "redis://127.0.0.1:port", for ioredis and the socket.io adapter; never with credentials. */
  readonly url: string;
  /** The ACL user clients must authenticate as, when started with one. */
  readonly user?: RedisAclUser;
  /** With `tls`: "rediss://127.0.0.1:tlsPort". */
  readonly tlsUrl?: string;
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
 * Resolves once PING answers PONG (with `user`: after AUTH as it; a replica: once its
 * master link is up); default timeout 10 s.
 */
export async function startRedis(options: RedisOptions): Promise<RedisHandle> {
  const { dir, detached = false, persistence = false, appendfsync = 'everysec', maxmemory = '1gb', replicaOf, user, tls, cluster, startTimeoutMs = 10_000 } = options;
  // A replica of an ACL'd master would need masteruser/masterauth: no test needs it yet.
  if (user && replicaOf !== undefined) throw new Error('startRedis: user and replicaOf cannot be combined');
  // A cluster node's replication is set by the cluster; an ACL'd cluster would need masterauth too.
  if (cluster && (user || replicaOf !== undefined)) throw new Error('startRedis: cluster cannot be combined with user or replicaOf');
  const port = options.port ?? (await freePort());
  await assertPortFree(port, 'Redis');
  const tlsPort = tls ? (tls.port ?? (await freePort())) : undefined;
  if (tlsPort !== undefined) await assertPortFree(tlsPort, 'Redis (TLS)');
  if (cluster) await assertPortFree(cluster.busPort, 'Redis cluster bus');
  const logFile = join(dir, 'redis.log');
  mkdirSync(dir, { recursive: true });
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
      ...(user ? ['--aclfile', writeAclFile(dir, user)] : []),
      ...(cluster ? clusterArgs(cluster) : []),
      ...(tls ? ['--tls-port', String(tlsPort), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-auth-clients', 'no'] : []),
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
    probe: () => (replicaOf === undefined ? redisPing(port, 500, user) : masterLinkUp(port)),
    timeoutMs: startTimeoutMs,
    logFiles: [logFile, consoleFile(dir, 'redis')],
    cleanup: stop,
    intervalMs: 50,
  });
  return {
    ...handle,
    url: `redis://127.0.0.1:${port}`,
    ...(user ? { user } : {}),
    ...(tlsPort !== undefined ? { tlsUrl: `rediss://127.0.0.1:${tlsPort}` } : {}),
    stop,
    pause: () => void child.kill('SIGSTOP'),
    resume,
    kill: () => {
      child.kill('SIGKILL');
      return handle.stop();
    },
    promote: async () => {
      const reply = await redisRequest(port, ['REPLICAOF', 'NO', 'ONE'], { user });
      if (!reply?.startsWith('+OK')) throw new Error(`REPLICAOF NO ONE on 127.0.0.1:${port} answered ${reply ?? 'nothing'}`);
    },
  };
}

/** The cluster node settings of {@link RedisOptions.cluster}. */
function clusterArgs({ busPort, nodeTimeoutMs }: { busPort: number; nodeTimeoutMs: number }): string[] {
  return [
    '--cluster-enabled', 'yes',
    // Relative to --dir: each node keeps its own identity and view of the cluster there.
    '--cluster-config-file', 'nodes.conf',
    '--cluster-port', String(busPort),
    '--cluster-node-timeout', String(nodeTimeoutMs),
  ];
}

/** True once the replica on `port` has its master link up (the first sync is done). */
async function masterLinkUp(port: number): Promise<boolean> {
  const reply = await redisRequest(port, ['INFO', 'replication'], { complete: (text) => text.startsWith('-') || /master_link_status:\w+\r\n/.test(text) });
  return /master_link_status:up\r\n/.test(reply ?? '');
}
