import type { ServiceSpec } from '@spear/runtime';
import { IdgenModule } from './idgen.module';

/** idgen: snowflake ids over RPC, worker ids leased in ZooKeeper (and no Redis: see REDIS_APPS). */
export const IDGEN_SERVICE: ServiceSpec<'idgen'> = {
  app: 'idgen',
  listener: (config) => config.idgen.http,
  rpcProvider: (config) => config.idgen.rpc,
  module: () => IdgenModule.register(),
};
