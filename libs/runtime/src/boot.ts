import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DynamicModule } from '@nestjs/common';
import type { RedisClient } from '@spear/bus';
import type { AddressInfo } from 'node:net';
import { zkPaths } from '@spear/catalog';
import { ConfigError, loadConfig, zookeeperAuthOf, type AppConfig, type AppName } from '@spear/config';
import { ZooKeeperRegistry } from '@spear/registry';
import { RpcClient, RpcMetrics, RpcServer } from '@spear/rpc';
import { shipRpcStats } from '@spear/stat-client';
import { CoreModule } from './core.module';
import { HealthChecks } from './health';
import { ErrorBodyFilter } from './http/error-body.filter';
import { createLogger, NestPinoLogger } from './logger';
import { ServiceMetrics } from './metrics';
import { connectRedisIfUsed } from './redis';
import { watchParent } from './parent-watch';
import type { ServiceContext } from './service-context';

/**
 * The HTTP listener's accept queue. Node's default (511) overflows when a
 * crashed node's clients all reconnect to a survivor at once: the kernel
 * drops the SYNs it cannot queue and each client waits 1 s (then 2 s, 4 s)
 * to retry, so a storm of a few thousand connects stretches by seconds.
 * Linux caps it at net.core.somaxconn (4096 on Debian 12).
 */
export const LISTEN_BACKLOG = 4096;

/** Where a service listens, once it does. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** What an app adds to the common boot sequence. */
export interface ServiceSpec<A extends AppName> {
  app: A;
  /** The HTTP listener of this process, from its config. */
  listener(config: AppConfig<A>): ListenAddress;
  /** The app's own Nest module (CoreModule is added around it). */
  module(ctx: ServiceContext<A>): DynamicModule;
  /** Runs after the Nest app is created and before it listens (static assets, adapters). */
  beforeListen?(app: NestFastifyApplication, ctx: ServiceContext<A>): Promise<void>;
  /** Runs once listening; returns extra ephemeral registrations and what to close on shutdown. */
  afterListen?(app: NestFastifyApplication, ctx: ServiceContext<A>, address: ListenAddress): Promise<AfterListen>;
  /** Largest HTTP request body accepted (413 too_large beyond); default 1 MiB. */
  bodyLimit?(config: AppConfig<A>): number;
  /** Proxies (addresses, CIDRs) whose X-Forwarded-For sets request.ip (Fastify's trustProxy); false or none: the peer's own address. */
  trustProxy?(config: AppConfig<A>): string[] | false;
  /** When set, this process provides RPC services (its @MessagePattern handlers) on this listener. */
  rpcProvider?(config: AppConfig<A>): { host: string; port: number; weight: number };
  /** Extra fixed labels on every metric and log line (e.g. the spear node id). */
  instanceLabels?(config: AppConfig<A>): Record<string, string>;
}

export interface AfterListen {
  registrations?: Array<{ path: string; data: unknown }>;
  /** Ephemeral znode created when a graceful stop has unregistered, held while draining (watchers see a drain, not a crash). */
  drainingMarker?: { path: string; data: unknown };
  /** Called after unregistering and before the HTTP server closes. */
  close?: () => Promise<void>;
}

export interface RunningService<A extends AppName> {
  ctx: ServiceContext<A>;
  app: NestFastifyApplication;
  address: ListenAddress;
  instanceId: string;
  /** Graceful stop: unregister from ZooKeeper first, then close listeners and clients. */
  stop(reason: string): Promise<void>;
}

/**
 * Boots one service process: validated profile, JSON logs, /healthz and
 * /metrics, ZooKeeper registration under the profile root, and a clean
 * SIGTERM/SIGINT shutdown. A bad profile or an unreachable ZooKeeper stops
 * the process with a message that says which.
 */
export async function runService<A extends AppName>(spec: ServiceSpec<A>): Promise<RunningService<A>> {
  try {
    return await boot(spec);
  } catch (error) {
    const { message, stack } = error as Error;
    // A bad profile is the operator's to fix, and the message says how: no stack trace around it.
    createLogger(spec.app).fatal(error instanceof ConfigError ? {} : { err: { message, stack } }, `cannot start: ${message}`);
    process.exit(1);
  }
}

async function boot<A extends AppName>(spec: ServiceSpec<A>): Promise<RunningService<A>> {
  let config: AppConfig<A>;
  try {
    config = loadConfig(spec.app);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`invalid profile: ${error.message}`);
    throw error;
  }
  const labels = spec.instanceLabels?.(config) ?? {};
  const logger = createLogger(spec.app, { profile: config.name, ...labels });
  const metrics = new ServiceMetrics(spec.app, labels);
  const health = new HealthChecks();
  const registry = new ZooKeeperRegistry({ ...config.zookeeper, auth: zookeeperAuthOf(config), logger });
  health.add('zookeeper', async () => {
    if (registry.state !== 'connected') throw new Error(`not connected (${registry.state})`);
  });
  const redis = connectRedisIfUsed(spec.app, config, logger, health);
  // Ready means discoverable: /healthz stays 503 until this process is registered.
  let registered = false;
  health.add('registration', async () => {
    if (!registered) throw new Error('not registered in ZooKeeper yet');
  });
  const rpcMetrics = new RpcMetrics(metrics.registry);
  const rpc = new RpcClient({ registry, clusterSecret: config.secrets.clusterSecret, maxFrameBytes: config.rpc.maxFrameBytes, metrics: rpcMetrics, defaults: config.rpc.defaults, services: config.rpc.services });
  // The one place a context is built: `redis` is there exactly when connectRedisIfUsed made one (ServiceContext's condition).
  const ctx = { app: spec.app, config, logger, metrics, health, registry, ...(redis && { redis }), rpc, rpcMetrics, startedAt: Date.now() } as ServiceContext<A>;

  await registry.ready();

  const app = await NestFactory.create<NestFastifyApplication>(
    { module: class AppRoot {}, imports: [CoreModule.forContext(ctx), spec.module(ctx)] } as DynamicModule,
    new FastifyAdapter({ bodyLimit: spec.bodyLimit?.(config) ?? 1024 * 1024, ...trustedProxies(spec, config) }),
    // bodyParser off: acceptEmptyJson() installs the JSON parser instead of Nest's.
    { logger: new NestPinoLogger(logger), abortOnError: false, bodyParser: false },
  );
  app.useGlobalFilters(new ErrorBodyFilter(logger));
  instrumentHttp(app, metrics);
  acceptEmptyJson(app);
  await spec.beforeListen?.(app, ctx);

  const provider = spec.rpcProvider?.(config);
  const rpcServer =
    provider &&
    new RpcServer({ ...provider, version: process.env.SPEAR_VERSION ?? 'dev', registry, clusterSecret: config.secrets.clusterSecret, maxFrameBytes: config.rpc.maxFrameBytes, maxConnectionsPerPeer: config.rpc.maxConnectionsPerPeer, metrics: rpcMetrics, logger, drainTimeoutMs: config.shutdownGraceMs / 2 });
  // Not inheriting the app config: the HTTP error filter must not see RPC errors.
  if (rpcServer) app.connectMicroservice({ strategy: rpcServer });

  const wanted = spec.listener(config);
  await app.listen({ port: wanted.port, host: wanted.host, backlog: LISTEN_BACKLOG });
  if (rpcServer) await app.startAllMicroservices();
  const bound = app.getHttpServer().address() as AddressInfo;
  const address = { host: wanted.host, port: bound.port };
  const extra = (await spec.afterListen?.(app, ctx, address)) ?? {};

  const instanceId = `${address.host}:${address.port}`;
  const instance = {
    service: spec.app,
    instanceId,
    host: address.host,
    port: address.port,
    pid: process.pid,
    version: process.env.SPEAR_VERSION ?? 'dev',
    profile: config.name,
    startedAt: ctx.startedAt,
    ...(rpcServer ? { rpcPort: rpcServer.port } : {}),
    ...labels,
  };
  await registry.register(zkPaths.instance(spec.app, instanceId), instance);
  for (const r of extra.registrations ?? []) await registry.register(r.path, r.data);
  registered = true;
  logger.info({ address, instanceId, zookeeperRoot: config.zookeeper.root }, `${spec.app} ready`);
  // Every process ships its RPC call statistics to stat (the Dubbo monitor); a stat outage costs only old batches.
  const rpcStats = shipRpcStats({ rpc, metrics: rpcMetrics, app: spec.app, instance: instanceId, intervalMs: config.monitor.shipIntervalMs, capacity: config.monitor.capacity, logger });

  let stopping: Promise<void> | undefined;
  const stop = (reason: string) => (stopping ??= (rpcStats.stop(), shutdown(ctx, app, extra, reason, redis)));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void stop(signal).then(() => process.exit(0), () => process.exit(1)));
  }
  watchParent(() => void stop('launcher exited').then(() => process.exit(0), () => process.exit(1)));
  return { ctx, app, address, instanceId, stop };
}

/** Fastify's trustProxy option, only when the app names proxies (Fastify's default trusts none). */
function trustedProxies<A extends AppName>(spec: ServiceSpec<A>, config: AppConfig<A>): { trustProxy?: string[] } {
  const proxies = spec.trustProxy?.(config);
  return proxies ? { trustProxy: proxies } : {};
}

async function shutdown<A extends AppName>(ctx: ServiceContext<A>, app: NestFastifyApplication, extra: AfterListen, reason: string, redis: RedisClient | undefined): Promise<void> {
  const { logger, registry } = ctx;
  logger.info({ reason }, 'shutting down: unregistering first');
  const deadline = setTimeout(() => {
    logger.error({ graceMs: ctx.config.shutdownGraceMs }, 'shutdown took too long; exiting');
    process.exit(1);
  }, ctx.config.shutdownGraceMs);
  deadline.unref();
  await registry.unregisterAll().catch((e: unknown) => logger.warn({ err: String(e) }, 'unregister failed'));
  // Lives until the session closes at the end of shutdown, i.e. for the whole drain.
  if (extra.drainingMarker) await registry.register(extra.drainingMarker.path, extra.drainingMarker.data).catch(() => undefined);
  await extra.close?.();
  await app.close(); // closes the RPC server too: it drains in-flight calls first
  await ctx.rpc.close();
  await redis?.quit().catch(() => redis.disconnect());
  await registry.close();
  clearTimeout(deadline);
  logger.info('stopped');
}

/**
 * JSON bodies: an empty body (a DELETE sent with a JSON content type) is no
 * body rather than a 400; anything else must parse. Size is still bounded by
 * the adapter's bodyLimit (413).
 */
function acceptEmptyJson(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('the body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });
}

function instrumentHttp(app: NestFastifyApplication, metrics: ServiceMetrics): void {
  const fastify = app.getHttpAdapter().getInstance();
  // Label children cached per route and status: the hook runs on every request, label hashing need not.
  const counters = new Map<string, { inc(): void }>();
  const durations = new Map<string, { observe(seconds: number): void }>();
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    const key = `${request.method} ${route}`;
    let counter = counters.get(`${key} ${status}`);
    if (!counter) counters.set(`${key} ${status}`, (counter = metrics.httpRequests.labels({ method: request.method, route, status })));
    let duration = durations.get(key);
    if (!duration) durations.set(key, (duration = metrics.httpDuration.labels({ method: request.method, route })));
    counter.inc();
    duration.observe(reply.elapsedTime / 1000);
    done();
  });
}
