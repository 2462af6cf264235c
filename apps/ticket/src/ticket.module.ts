import { Inject, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { NodeRing } from './nodes/node-ring';
import { NodesController } from './nodes/nodes.controller';
import { PresenceController } from './presence/presence.controller';
import { PushController } from './push/push.controller';
import { PushService } from './push/push-service';
import { TicketsController } from './tickets/tickets.controller';
import { TokensController } from './tokens/tokens.controller';
import { UsersController } from './users/users.controller';
import { GroupsController } from './groups/groups.controller';

@Module({})
export class TicketModule implements OnModuleDestroy {
  constructor(@Inject(PushService) private readonly push: PushService) {}

  async onModuleDestroy(): Promise<void> {
    await this.push.close();
  }

  static register(): DynamicModule {
    return {
      module: TicketModule,
      controllers: [NodesController, TokensController, TicketsController, PushController, PresenceController, UsersController, GroupsController],
      providers: [
        { provide: NodeRing, inject: [SERVICE_CONTEXT], useFactory: (ctx: ServiceContext<'ticket'>) => new NodeRing(ctx) },
        { provide: PushService, inject: [SERVICE_CONTEXT], useFactory: (ctx: ServiceContext<'ticket'>) => PushService.start(ctx) },
      ],
    };
  }
}
