import { runService } from '@spear/runtime';
import { IdgenModule } from './idgen.module';

/** idgen: snowflake ids over RPC (ids and worker leases arrive with the RPC layer). */
void runService({
  app: 'idgen',
  listener: (config) => config.idgen.http,
  module: () => IdgenModule.register(),
});
