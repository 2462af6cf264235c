import { runService } from '@spear/runtime';
import { IdgenModule } from './idgen.module';

/** idgen: snowflake ids over RPC, worker ids leased in ZooKeeper. */
void runService({
  app: 'idgen',
  listener: (config) => config.idgen.http,
  rpcProvider: (config) => config.idgen.rpc,
  module: () => IdgenModule.register(),
});
