import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { AppName } from '@spear/config';
import { HealthController } from './http/health.controller';
import { SERVICE_CONTEXT, type ServiceContext } from './service-context';

/** Provides the ServiceContext to every module of an app and serves /healthz and /metrics. */
@Global()
@Module({})
export class CoreModule {
  static forContext<A extends AppName>(ctx: ServiceContext<A>): DynamicModule {
    return {
      module: CoreModule,
      controllers: [HealthController],
      providers: [{ provide: SERVICE_CONTEXT, useValue: ctx }],
      exports: [SERVICE_CONTEXT],
    };
  }
}
