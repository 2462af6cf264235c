import { Inject, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { DashboardController } from './api/dashboard.controller';
import { KafkaInfoReader } from './api/kafka-info';
import { ServiceLocator } from './api/service-locator';
import { LoginController } from './auth/login.controller';
import { OperatorGuard } from './auth/operator.guard';
import { LoginThrottle } from './auth/login-throttle';
import { SessionCookies } from './auth/session-cookie';
import { EventLog } from './live/event-log';
import { LiveController } from './live/live.controller';
import { LoadRunner } from './sim/load-runner';
import { SimAccess } from './sim/sim-access';
import { SimController } from './sim/sim.controller';

type Ctx = ServiceContext<'minions'>;

@Module({})
export class MinionsModule implements OnModuleDestroy {
  constructor(
    @Inject(EventLog) private readonly events: EventLog,
    @Inject(LoadRunner) private readonly load: LoadRunner,
    @Inject(KafkaInfoReader) private readonly kafka: KafkaInfoReader,
  ) {}

  static register(ctx: Ctx): DynamicModule {
    const { secrets } = ctx.config;
    // The dashboard can act as any user: it never runs open.
    if (!secrets.minionsPassword) throw new Error('minions needs secrets.minionsPassword (or SPEAR_MINIONS_PASSWORD): operators log in with it');
    return {
      module: MinionsModule,
      controllers: [LoginController, DashboardController, LiveController, SimController],
      providers: [
        // Sessions are keyed from the ticket secret and the password: changing either logs everyone out.
        { provide: SessionCookies, useValue: new SessionCookies(`${secrets.ticketSecret}:${secrets.minionsPassword}`) },
        { provide: LoginThrottle, useValue: new LoginThrottle() },
        OperatorGuard,
        { provide: ServiceLocator, inject: [SERVICE_CONTEXT], useFactory: (c: Ctx) => new ServiceLocator(c.registry, { ticket: c.config.minions.ticketUrl }) },
        { provide: KafkaInfoReader, inject: [SERVICE_CONTEXT], useFactory: (c: Ctx) => new KafkaInfoReader(c.config.kafka?.brokers, c.config.bus === 'kafka') },
        { provide: EventLog, inject: [SERVICE_CONTEXT], useFactory: (c: Ctx) => new EventLog(c.registry) },
        { provide: SimAccess, inject: [SERVICE_CONTEXT, ServiceLocator], useFactory: (c: Ctx, l: ServiceLocator) => new SimAccess(l, c.config.secrets.adminKey) },
        { provide: LoadRunner, inject: [SERVICE_CONTEXT, SimAccess], useFactory: (c: Ctx, a: SimAccess) => new LoadRunner(c.logger, (uid) => a.tokenFor(uid)) },
      ],
    };
  }

  async onModuleDestroy(): Promise<void> {
    this.load.stop();
    this.events.close();
    await this.kafka.close();
  }
}
