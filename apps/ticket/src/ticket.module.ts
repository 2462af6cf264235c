import { Module, type DynamicModule } from '@nestjs/common';
import { SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { NodeRing } from './nodes/node-ring';
import { NodesController } from './nodes/nodes.controller';
import { TicketsController } from './tickets/tickets.controller';
import { TokensController } from './tokens/tokens.controller';

@Module({})
export class TicketModule {
  static register(): DynamicModule {
    return {
      module: TicketModule,
      controllers: [NodesController, TokensController, TicketsController],
      providers: [{ provide: NodeRing, inject: [SERVICE_CONTEXT], useFactory: (ctx: ServiceContext<'ticket'>) => new NodeRing(ctx) }],
    };
  }
}
