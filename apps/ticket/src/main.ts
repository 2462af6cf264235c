import { runService } from '@spear/runtime';
import { TicketModule } from './ticket.module';

/** ticket: the only public HTTP entry of the cluster. */
void runService({
  app: 'ticket',
  listener: (config) => config.ticket.http,
  bodyLimit: (config) => config.ticket.bodyLimitBytes,
  trustProxy: (config) => config.ticket.trustProxy,
  module: () => TicketModule.register(),
});
