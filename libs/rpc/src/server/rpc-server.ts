import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { isObservable, lastValueFrom } from 'rxjs';
import { zkPaths } from '@spear/catalog';
import type { Registry } from '@spear/registry';
import { RpcError, toWireError } from '../errors';
import { parsePatternKey } from '../pattern';
import type { ProviderData } from '../provider-data';
import type { RpcMetrics } from '../stats/rpc-metrics';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder, FrameError, UNDECODABLE } from '../wire/frame-codec';
import { parseInbound, type ReplyMessage } from '../wire/messages';

export interface RpcServerOptions {
  host: string;
  /** 0 picks a free port (tests); the bound port is what gets registered. */
  port: number;
  weight: number;
  version: string;
  registry: Registry;
  metrics?: RpcMetrics;
  maxFrameBytes?: number;
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
 * Guarantee: every request gets exactly one reply (result or error) unless
 * its connection dies first; a request refused with `shutting_down` was not
 * executed. Malformed input gets an error reply or a closed connection,
 * never a crashed process.
 */
export class RpcServer extends Server implements CustomTransportStrategy {
  private server?: NetServer;
  private readonly sockets = new Set<Socket>();
  private inFlight = 0;
  private closing = false;
  private drained?: () => void;
  private registered: string[] = [];
  private boundPort = 0;

  constructor(private readonly options: RpcServerOptions) {
    super();
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
      const data: ProviderData = { host, port: this.boundPort, weight, version, protocol: 'spear-rpc/1', methods: methods.sort(), pid: process.pid, startedAt: Date.now() };
      const path = zkPaths.provider(service, `${host}:${this.boundPort}`);
      await registry.register(path, data);
      this.registered.push(path);
    }
    this.options.logger?.info({ port: this.boundPort, services: [...this.services().keys()] }, 'rpc provider registered');
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder(this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    const ctx = new BaseRpcContext([socket.remoteAddress ?? '']);
    socket.on('data', (chunk) => {
      let values: unknown[];
      try {
        values = decoder.push(chunk);
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        this.options.logger?.warn({ peer: socket.remoteAddress, err: error.message }, 'closing rpc connection: bad framing');
        socket.destroy();
        return;
      }
      for (const value of values) this.dispatch(socket, value, ctx);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
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

/** Replies finished in one tick leave in one write. */
function reply(socket: Socket, message: ReplyMessage): void {
  if (!socket.writable) return;
  if (!socket.writableCorked) {
    socket.cork();
    process.nextTick(() => socket.uncork());
  }
  socket.write(encodeFrame(message));
}
