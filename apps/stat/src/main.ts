import { runService } from '@spear/runtime';
import { StatModule } from './stat.module';

/** stat: collects spear reports and RPC statistics (RPC service `stat`) and serves them over HTTP. */
void runService({
  app: 'stat',
  listener: (config) => config.stat.http,
  rpcProvider: (config) => config.stat.rpc,
  module: () => StatModule.register(),
});
