import { runService } from '@spear/runtime';
import { StatModule } from './stat.module';

/** stat: collects spear reports and RPC statistics and serves them over HTTP. */
void runService({
  app: 'stat',
  listener: (config) => config.stat.http,
  module: () => StatModule.register(),
});
