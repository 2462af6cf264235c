import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { isObservable, lastValueFrom } from 'rxjs';
import { zkPaths } from '@spear/catalog';
import { DEFAULTS } from '@spear/config';
import type { Registry } from '@spear/registry';
import { RpcError, toWireError } from '../errors';
import { parsePatternKey } from '../pattern';
import type { ProviderData } from '../provider-data';
import type { RpcMetrics } from '../stats/rpc-metrics';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder, FrameError, UNDECODABLE } from '../wire/frame-codec';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, HANDSHAKE_MAX_FRAME_BYTES, HandshakeKey } from '../wire/handshake';
import { parseInbound, type ReplyMessage } from '../wire/messages';
import { PeerLimits } from './peer-limits';
import { ServerHandshake } from './server-handshake';

export interface RpcServerOptions {
  host: string;
  /** 0 picks a free port (tests); the bound port is what gets registered. */
  port: number;
  weight: number;
  version: string;
  registry: Registry;
  /** The secret every peer must prove it holds before its first call (wire/handshake.ts). */
  clusterSecret: string;
  metrics?: RpcMetrics;
  maxFrameBytes?: number;
  /** Connections one peer address may hold (default 256: our processes hold one each). */
  maxConnectionsPerPeer?: number;
  /** Connections mid-handshake at once, all peers together (default 64), and per peer address (default 16). */
  maxPendingHandshakes?: number;
  maxPendingHandshakesPerPeer?: number;
  /** A connection that has not authenticated within this is closed (default 3 s). */
  handshakeTimeoutMs?: number;
  /** How long close() waits for in-flight calls. */
  drainTimeoutMs?: number;
  logger?: { warn(o: object, m?: string): void; info(o: object, m?: string): void };
}

/**
 * Nest transport strategy serving @MessagePattern handlers over TCP with
 * length-prefixed JSON frames, many calls multiplexed per connection by
 * request id. Each service found among the handlers' patterns
 * ({service, method}) is registered in ZooKeeper as an ephemeral provider.
 *
 * Guarantee: no call runs for a peer that has not proved it holds the
 * cluster secret (spear-rpc/2 handshake); every request of an authenticated
 * peer gets exactly one reply (result or error) unless its connection dies
 * first; a request refused with `shutting_down` was not executed. Malformed
 * input gets an error reply or a closed connection, never a crashed process.
 */
export class RpcServer extends Server implements CustomTransportStrategy {
  private server?: NetServer;
  private readonly sockets = new Set<Socket>();
  private inFlight = 0;
  private closing = false;
  private drained?: () => void;
  private registered: string[] = [];
  private boundPort = 0;
  private readonly key: HandshakeKey;
  private readonly limits: PeerLimits;
  private readonly refusalLog = new OncePerSecond();

  constructor(private readonly options: RpcServerOptions) {
    super();
    this.key = new HandshakeKey(options.clusterSecret);
    this.limits = new PeerLimits(options.maxConnectionsPerPeer ?? DEFAULTS.rpc.maxConnectionsPerPeer, options.maxPendingHandshakes ?? 64, options.maxPendingHandshakesPerPeer ?? 16);
  }

  /** Connections that have not finished their handshake yet. */
  get pendingHandshakes(): number {
    return this.limits.pendingNow;
  }

  /** The port actually bound (after listen). */
  get port(): number {
    return this.boundPort;
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    server.once('error', (error) => callback(error));
    server.listen(this.options.port, this.options.host, () => {
      this.boundPort = (server.address() as { port: number }).port;
      if (this.options.metrics) this.options.metrics.serverAddress = `${this.options.host}:${this.boundPort}`;
      this.registerProviders().then(
        () => callback(),
        (error: unknown) => callback(error),
      );
    });
  }

  /** Unregister, refuse new calls, wait for in-flight ones (bounded), then close every connection. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all(this.registered.map((p) => this.options.registry.unregister(p).catch(() => undefined)));
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        setTimeout(resolve, this.options.drainTimeoutMs ?? 5000).unref();
      });
    }
    // end() flushes replies still corked for this tick; destroy() only if the peer lingers.
    for (const socket of this.sockets) {
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  on(): void {
    throw new Error('RpcServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.server as T;
  }

  /** The services this process provides, from its handlers' patterns. */
  services(): Map<string, string[]> {
    const byService = new Map<string, string[]>();
    for (const key of this.messageHandlers.keys()) {
      const pattern = parsePatternKey(key);
      if (!pattern) continue;
      byService.set(pattern.service, [...(byService.get(pattern.service) ?? []), pattern.method]);
    }
    return byService;
  }

  private async registerProviders(): Promise<void> {
    const { host, weight, version, registry } = this.options;
    for (const [service, methods] of this.services()) {
      const data: ProviderData = { host, port: this.boundPort, weight, version, protocol: 'spear-rpc/2', methods: methods.sort(), pid: process.pid, startedAt: Date.now() };
      const path = zkPaths.provider(service, `${host}:${this.boundPort}`);
      await registry.register(path, data);
      this.registered.push(path);
    }
    this.options.logger?.info({ port: this.boundPort, services: [...this.services().keys()] }, 'rpc provider registered');
  }

  private accept(socket: Socket): void {
    const peer = socket.remoteAddress ?? '?';
    const refusedBy = this.limits.admit(peer);
    if (refusedBy) {
      this.refuse(socket, refusedBy.reason, refusedBy.message);
      return;
    }
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const maxFrameBytes = this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME_BYTES);
    const ctx = new BaseRpcContext([peer]);
    let handshake: ServerHandshake | undefined = new ServerHandshake(this.key);
    const deadline = setTimeout(() => this.refuse(socket, 'handshake_timeout', `no handshake within ${this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS} ms`), this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
    const decode = (chunk: Buffer, maxFrames?: number): unknown[] | undefined => {
      try {
        return decoder.push(chunk, maxFrames);
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        this.options.logger?.warn({ peer, err: error.message }, 'closing rpc connection: bad framing');
        socket.destroy();
        return undefined;
      }
    };
    socket.on('data', (chunk) => {
      if (socket.writableEnded) return; // refused: waiting for the farewell to leave
      let input = chunk;
      // One frame at a time while authenticating: calls pipelined behind the proof are read under the call limit, not the handshake's.
      while (handshake) {
        const [frame] = decode(input, 1) ?? [];
        input = NO_BYTES;
        if (frame === undefined) return;
        const step = handshake.step(frame);
        if ('send' in step) socket.write(encodeFrame(step.send));
        else if ('refuse' in step) return this.refuse(socket, 'unauthenticated', step.refuse.e.message);
        else {
          handshake = undefined;
          clearTimeout(deadline);
          this.limits.authenticated(peer);
          decoder.limit(maxFrameBytes);
        }
      }
      for (const value of decode(input) ?? []) {
        if (socket.destroyed) return;
        this.dispatch(socket, value, ctx);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(deadline);
      this.sockets.delete(socket);
      this.limits.release(peer, handshake !== undefined);
    });
  }

  /** Drops a connection before serving it, saying why to the peer and in the metrics (logged at most once a second per reason: a flood must not flood the logs). */
  private refuse(socket: Socket, reason: string, message: string): void {
    this.options.metrics?.serverRefused.inc({ reason });
    this.refusalLog.note(reason, () => this.options.logger?.warn({ peer: socket.remoteAddress, reason, err: message }, 'refusing rpc connection'));
    socket.on('error', () => socket.destroy());
    const code = reason === 'peer_limit' || reason === 'pending_limit' ? 'too_many_connections' : 'unauthenticated';
    if (socket.writable) socket.end(encodeFrame({ e: { code, message } }));
    setTimeout(() => socket.destroy(), 200).unref();
  }

  private dispatch(socket: Socket, value: unknown, ctx: BaseRpcContext): void {
    if (value === UNDECODABLE) {
      // No id can be read from it, so no reply can name its call.
      socket.destroy();
      return;
    }
    const message = parseInbound(value);
    if ('invalid' in message) {
      if (message.i === undefined) socket.destroy();
      else reply(socket, { i: message.i, e: { code: 'bad_request', message: message.invalid } });
      return;
    }
    const isRequest = 'i' in message;
    if (this.closing) {
      if (isRequest) reply(socket, { i: message.i, e: { code: 'shutting_down', message: 'provider is shutting down' } });
      return;
    }
    // Our clients send normalized keys, so a direct lookup usually hits; Nest's lookup normalizes others.
    const handler = this.messageHandlers.get(message.p) ?? this.getHandlerByPattern(message.p);
    if (!handler) {
      if (isRequest) reply(socket, { i: message.i, e: { code: 'no_handler', message: `no handler for ${message.p}` } });
      return;
    }
    void this.run(handler, message.p, message.d, ctx).then((outcome) => {
      if (isRequest) reply(socket, { i: message.i, ...outcome });
      // Counted down only once the reply is written, so close() never cuts a finished call's answer.
      if (--this.inFlight === 0) this.drained?.();
    });
  }

  /** Runs a handler; the caller replies, then counts the call out of inFlight. */
  private async run(handler: (data: unknown, ctx: BaseRpcContext) => unknown, pattern: string, data: unknown, ctx: BaseRpcContext): Promise<Omit<ReplyMessage, 'i'>> {
    this.inFlight++;
    this.options.metrics?.serverInFlight.inc();
    const started = performance.now();
    const route = parsePatternKey(pattern) ?? { service: '?', method: pattern };
    let outcome = 'ok';
    try {
      let result = await handler(data, ctx);
      if (isObservable(result)) result = await lastValueFrom(result);
      return { r: result ?? null };
    } catch (error) {
      const wire = toWireError(error);
      outcome = wire.code;
      if (!(error instanceof RpcError)) this.options.logger?.warn({ pattern, err: wire.message }, 'rpc handler failed');
      return { e: wire };
    } finally {
      this.options.metrics?.recordServer(route.service, route.method, outcome, (performance.now() - started) / 1000);
      this.options.metrics?.serverInFlight.dec();
    }
  }
}

const NO_BYTES = Buffer.alloc(0);

/** Runs a logging callback at most once a second per key. */
class OncePerSecond {
  private readonly last = new Map<string, number>();

  note(key: string, log: () => void): void {
    const now = Date.now();
    if (now - (this.last.get(key) ?? 0) < 1000) return;
    this.last.set(key, now);
    log();
  }
}

/** Replies finished in one tick leave in one write. */
function reply(socket: Socket, message: ReplyMessage): void {
  if (!socket.writable) return;
  if (!socket.writableCorked) {
    socket.cork();
    process.nextTick(() => socket.uncork());
  }
  socket.write(encodeFrame(message));
}
