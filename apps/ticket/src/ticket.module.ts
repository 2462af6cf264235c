import { Module, type DynamicModule } from '@nestjs/common';
import { NodesController } from './nodes/nodes.controller';
import { TokensController } from './tokens/tokens.controller';

@Module({})
export class TicketModule {
  static register(): DynamicModule {
    return { module: TicketModule, controllers: [NodesController, TokensController] };
  }
}
