import type { RedisClient } from '@spear/bus';
import type { Logger } from 'pino';
import type { AppConfig, AppName, RedisAppName } from '@spear/config';
import type { Registry } from '@spear/registry';
import type { RpcClient, RpcMetrics } from '@spear/rpc';
import type { HealthChecks } from './health';
import type { ServiceMetrics } from './metrics';

/** What every service process has, whatever it talks to. */
export interface CoreServiceContext<A extends AppName = AppName> {
  app: A;
  config: AppConfig<A>;
  logger: Logger;
  metrics: ServiceMetrics;
  health: HealthChecks;
  registry: Registry;
  /** Calls other services over Spear RPC (providers found in ZooKeeper). */
  rpc: RpcClient;
  rpcMetrics: RpcMetrics;
  startedAt: number;
}

/** The main Redis client, in the context of the apps that use Redis (REDIS_APPS in @spear/config). */
export interface RedisContext {
  redis: RedisClient;
}

/**
 * Everything a service process shares across its modules, built once at boot.
 * Only the apps that use Redis have `redis` (and a `redis` check in /healthz):
 * idgen talks to ZooKeeper only, so its code cannot reach for a client.
 */
export type ServiceContext<A extends AppName = AppName> = CoreServiceContext<A> & (A extends RedisAppName ? RedisContext : unknown);

/** Nest injection token of the ServiceContext (explicit tokens: no reliance on emitted type metadata). */
export const SERVICE_CONTEXT = Symbol('SERVICE_CONTEXT');
