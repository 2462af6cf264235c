/**
 * Baseline B0 of the comparison benchmarks (issue #7): what a user would
 * build by hand. A plain socket.io 4.8 server with @socket.io/redis-adapter;
 * each client joins a room named after its uid (handshake auth `{uid}`, no
 * ticket), a send is `io.to(uid).emit('msg', ...)`, groups are rooms too.
 * Acks carry an id (a per-process counter) so the load tools can account for
 * every message the same way as with Spear. No inbox, no durability.
 *
 * B0_ADAPTER picks the adapter: `classic` (default; B0: one channel, every
 * process receives every broadcast and drops what it has no socket for) or
 * `sharded` (B0s, issue #21: `createShardedAdapter` over Redis 7 sharded
 * pub/sub, `subscriptionMode: "dynamic"`: a channel per public room, here
 * one per user and one per group, subscribed only by the processes that
 * hold a member, so a 1:1 send reaches one process) or `streams` (B1, issue
 * #21: @socket.io/redis-streams-adapter, every process reading one Redis
 * stream, with socket.io's connection state recovery on: a client that
 * reconnects within two minutes gets the packets it missed, the closest
 * stock socket.io comes to not losing messages; still no per-device log and
 * no acks of delivery). Both take ioredis
 * clients (@socket.io/redis-adapter 8.3 speaks SSUBSCRIBE/SPUBLISH through
 * ioredis as well as through the `redis` package).
 *
 * B0_REDIS_SEEDS (comma-separated urls, beside B0_REDIS_URL) puts it on a Redis
 * Cluster through ioredis' cluster client, as a user would: the classic
 * adapter's PUBLISH then reaches every node of the cluster, the sharded one's
 * SPUBLISH only the shard that owns the channel.
 *
 * Forked with IPC: `fork('bench/baseline/b0-server.ts', [], { execArgv: ['--import', 'tsx'], env: { B0_PORT, B0_REDIS_URL, B0_ADAPTER } })`;
 * tells the parent `{type: 'ready', port}`; stops on `{type: 'stop'}` or when the parent goes away.
 */
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { createAdapter as createStreamsAdapter } from '@socket.io/redis-streams-adapter';
import Redis, { Cluster } from 'ioredis';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { heapModeFromEnv, profileOnSignal } from '../support/profile-on-signal.cjs';

export type FromB0 = { type: 'ready'; port: number } | { type: 'error'; message: string };
export type ToB0 = { type: 'stop' };

type Ack = (answer: object) => void;

export const B0_ADAPTERS = ['classic', 'sharded', 'streams'] as const;
export type B0Adapter = (typeof B0_ADAPTERS)[number];

/** The adapter, and every client it was given (to disconnect on stop). */
function adapterOf(name: string, client: Redis | Cluster) {
  // The pub/sub adapters subscribe on a second connection.
  if (name === 'classic' || name === 'sharded') {
    // ioredis sends SSUBSCRIBE to the shard owning the channel only with shardedSubscribers on (else: MOVED).
    const sub = client instanceof Cluster ? client.duplicate(undefined, { shardedSubscribers: name === 'sharded' }) : client.duplicate();
    const adapter = name === 'classic' ? createAdapter(client, sub) : createShardedAdapter(client, sub, { subscriptionMode: 'dynamic' });
    return { adapter, clients: [client, sub] };
  }
  // One client: the adapter reads the stream with blocking XREADs on a duplicate of its own.
  if (name === 'streams') return { adapter: createStreamsAdapter(client), clients: [client] };
  throw new Error(`B0_ADAPTER=${name}: expected one of ${B0_ADAPTERS.join(', ')}`);
}

function clusterClient(urls: string[]): Cluster {
  return new Cluster(urls.map((url) => ({ host: new URL(url).hostname, port: Number(new URL(url).port) })));
}

async function main(): Promise<void> {
  const redisUrl = process.env.B0_REDIS_URL;
  if (!redisUrl || !process.send) throw new Error('fork with IPC and B0_REDIS_URL');
  const seeds = process.env.B0_REDIS_SEEDS?.split(',').filter(Boolean) ?? [];
  const name = process.env.B0_ADAPTER || 'classic';
  const { adapter, clients } = adapterOf(name, seeds.length > 0 ? clusterClient([redisUrl, ...seeds]) : new Redis(redisUrl));
  const http = createServer();
  const recovery = name === 'streams' ? { connectionStateRecovery: { maxDisconnectionDuration: 120_000 } } : {};
  const io = new Server(http, { transports: ['websocket'], serveClient: false, adapter, ...recovery });
  const tag = `${process.pid}`;
  let counter = 0;
  io.use((socket, next) => {
    const uid = (socket.handshake.auth as { uid?: unknown } | undefined)?.uid;
    if (typeof uid !== 'string' || uid.length === 0) return next(new Error('uid required'));
    (socket.data as { uid: string }).uid = uid;
    next();
  });
  io.on('connection', (socket) => {
    const { uid } = socket.data as { uid: string };
    void socket.join(uid);
    socket.emit('ready', { uid, node: tag, sessionId: socket.id });
    socket.on('send', (p: { to?: unknown; body?: unknown } | null, ack?: Ack) => {
      if (typeof p?.to !== 'string') return ack?.({ ok: false, error: { code: 'bad_request', message: 'to' } });
      const id = `${tag}-${++counter}`;
      const ts = Date.now();
      io.to(p.to).emit('msg', { id, from: uid, to: p.to, body: p.body, ts });
      ack?.({ ok: true, id, ts });
    });
    socket.on('join', (p: { group?: unknown } | null, ack?: Ack) => {
      if (typeof p?.group !== 'string') return ack?.({ ok: false, error: { code: 'bad_request', message: 'group' } });
      void socket.join(`g:${p.group}`);
      ack?.({ ok: true });
    });
    socket.on('publish', (p: { group?: unknown; body?: unknown } | null, ack?: Ack) => {
      if (typeof p?.group !== 'string') return ack?.({ ok: false, error: { code: 'bad_request', message: 'group' } });
      const id = `${tag}-${++counter}`;
      const ts = Date.now();
      io.to(`g:${p.group}`).emit('group', { id, group: p.group, from: uid, body: p.body, ts });
      ack?.({ ok: true, id, ts });
    });
    socket.on('ack', (_p: unknown, ack?: Ack) => ack?.({ ok: true }));
  });
  // The accept queue Spear's services listen with (LISTEN_BACKLOG in libs/runtime), so a connect storm
  // compares the servers, not Node's default backlog of 511.
  await new Promise<void>((resolve) => http.listen({ port: Number(process.env.B0_PORT ?? 0), host: '127.0.0.1', backlog: 4096 }, resolve));
  const stop = () => {
    io.close();
    for (const client of clients) client.disconnect();
    process.exit(0);
  };
  process.on('message', (m: ToB0) => m.type === 'stop' && stop());
  // As the spear nodes are (bench/support/profiling-dist.ts), and with BENCH_HEAP_PROF=1, survivors or live a heap profile.
  const heap = heapModeFromEnv();
  if (process.env.B0_CPU_PROF_DIR) profileOnSignal({ dir: process.env.B0_CPU_PROF_DIR, name: `b0-${process.pid}`, heap });
  process.on('disconnect', stop);
  process.send({ type: 'ready', port: (http.address() as AddressInfo).port } satisfies FromB0);
}

main().catch((error: unknown) => {
  process.send?.({ type: 'error', message: String(error) } satisfies FromB0);
  process.exit(1);
});
