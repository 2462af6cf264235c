import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { AppConfig, AppName } from '@spear/config';
import type { Registry } from '@spear/registry';
import type { RpcClient, RpcMetrics } from '@spear/rpc';
import type { HealthChecks } from './health';
import type { ServiceMetrics } from './metrics';

/** Everything a service process shares across its modules, built once at boot. */
export interface ServiceContext<A extends AppName = AppName> {
  app: A;
  config: AppConfig<A>;
  logger: Logger;
  metrics: ServiceMetrics;
  health: HealthChecks;
  registry: Registry;
  redis: Redis;
  /** Calls other services over Spear RPC (providers found in ZooKeeper). */
  rpc: RpcClient;
  rpcMetrics: RpcMetrics;
  startedAt: number;
}

/** Nest injection token of the ServiceContext (explicit tokens: no reliance on emitted type metadata). */
export const SERVICE_CONTEXT = Symbol('SERVICE_CONTEXT');
