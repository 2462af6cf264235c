import { Inject, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { IdgenController } from './rpc/idgen.controller';
import { IdService } from './worker/id-service';

@Module({})
export class IdgenModule implements OnModuleDestroy {
  constructor(@Inject(IdService) private readonly ids: IdService) {}

  static register(): DynamicModule {
    return {
      module: IdgenModule,
      controllers: [IdgenController],
      providers: [{ provide: IdService, inject: [SERVICE_CONTEXT], useFactory: (ctx: ServiceContext<'idgen'>) => IdService.start(ctx) }],
    };
  }

  /** After the RPC server drained: give the worker id and leadership back at once. */
  async onModuleDestroy(): Promise<void> {
    await this.ids.stop();
  }
}
