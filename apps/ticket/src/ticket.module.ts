import { Module, type DynamicModule } from '@nestjs/common';
import { NodesController } from './nodes/nodes.controller';

@Module({})
export class TicketModule {
  static register(): DynamicModule {
    return { module: TicketModule, controllers: [NodesController] };
  }
}
