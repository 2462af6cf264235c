import { hostname } from 'node:os';
import { Inject, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { createBus } from '@spear/bus';
import { RedisKeys } from '@spear/catalog';
import { GroupHistory } from '@spear/delivery';
import { SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { BackendStats } from './api/backend-stats';
import { DashboardController } from './api/dashboard.controller';
import { KafkaInfoReader } from './api/kafka-info';
import { ServiceLocator } from './api/service-locator';
import { StatReader } from './api/stat-reader';
import { TicketClient } from './api/ticket-client';
import { AuditController } from './audit/audit.controller';
import { AuditLog } from './audit/audit-log';
import { AuditTrail } from './audit/audit-trail';
import { LoginController } from './auth/login.controller';
import { LoginThrottle } from './auth/login-throttle';
import { OperatorAccounts } from './auth/operator-accounts';
import { OperatorSessions } from './auth/operator-sessions';
import { OperatorGuard } from './auth/operator.guard';
import { GroupWatch } from './groups/group-watch';
import { GroupsController } from './groups/groups.controller';
import { CONFIGURED_ORIGIN, OriginGuard } from './http/origin.guard';
import { EventLog } from './live/event-log';
import { LiveController } from './live/live.controller';
import { LoadRunner } from './sim/load-runner';
import { SimAccess } from './sim/sim-access';
import { SimController } from './sim/sim.controller';

type Ctx = ServiceContext<'minions'>;

/** Open group watches at once (browser tabs on group pages). */
const MAX_WATCHES = 50;

const keysOf = (c: Ctx) => new RedisKeys(c.config.redis.keyPrefix);

/**
 * The dashboard watches groups as a bus node of its own, named after its
 * host and listener so that two dashboards never share a Kafka consumer
 * group and a restarted one reuses its topic.
 */
function groupWatchOf(c: Ctx): GroupWatch {
  const nodeId = `minions-watch-${hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40)}-${c.config.minions.http.port}`;
  const makeBus = () => createBus({ bus: c.config.bus, redis: { ...c.config.redis, keyPrefix: keysOf(c).channelPrefix }, kafka: c.config.kafka, logger: c.logger });
  return new GroupWatch(makeBus, nodeId, { maxWatches: MAX_WATCHES });
}

@Module({})
export class MinionsModule implements OnModuleDestroy {
  constructor(
    @Inject(EventLog) private readonly events: EventLog,
    @Inject(LoadRunner) private readonly load: LoadRunner,
    @Inject(KafkaInfoReader) private readonly kafka: KafkaInfoReader,
    @Inject(GroupWatch) private readonly watch: GroupWatch,
  ) {}

  static register(ctx: Ctx): DynamicModule {
    const { minions } = ctx.config;
    // The dashboard can act as any user: it never runs open (this throws without an operator).
    const accounts = new OperatorAccounts(minions.operators ?? []);
    const auditLog = new AuditLog(ctx.redis, keysOf(ctx), ctx.logger);
    return {
      module: MinionsModule,
      controllers: [LoginController, DashboardController, LiveController, SimController, GroupsController, AuditController],
      providers: [
        { provide: OperatorAccounts, useValue: accounts },
        { provide: OperatorSessions, useValue: new OperatorSessions(ctx.redis, keysOf(ctx)) },
        { provide: LoginThrottle, useValue: new LoginThrottle() },
        { provide: CONFIGURED_ORIGIN, useValue: minions.origin?.replace(/\/$/, '').toLowerCase() },
        // Every route, before any other guard: a state-changing request from another origin never reaches a handler.
        { provide: APP_GUARD, useClass: OriginGuard },
        OperatorGuard,
        { provide: AuditLog, useValue: auditLog },
        { provide: AuditTrail, useValue: new AuditTrail(auditLog) },
        { provide: ServiceLocator, inject: [SERVICE_CONTEXT], useFactory: (c: Ctx) => new ServiceLocator(c.registry, { ticket: c.config.minions.ticketUrl }) },
        { provide: KafkaInfoReader, inject: [SERVICE_CONTEXT], useFactory: (c: Ctx) => new KafkaInfoReader(c.config.kafka, c.config.bus === 'kafka') },
        { provide: EventLog, inject: [SERVICE_CONTEXT], useFactory: (c: Ctx) => new EventLog(c.registry) },
        { provide: BackendStats, useValue: new BackendStats() },
        { provide: TicketClient, inject: [SERVICE_CONTEXT, ServiceLocator], useFactory: (c: Ctx, l: ServiceLocator) => new TicketClient(l, c.config.secrets.adminKey) },
        { provide: StatReader, inject: [SERVICE_CONTEXT, ServiceLocator], useFactory: (c: Ctx, l: ServiceLocator) => new StatReader(l, c.config.secrets.adminKey) },
        { provide: SimAccess, inject: [TicketClient], useFactory: (t: TicketClient) => new SimAccess(t) },
        { provide: GroupWatch, inject: [SERVICE_CONTEXT], useFactory: groupWatchOf },
        { provide: GroupHistory, inject: [SERVICE_CONTEXT], useFactory: (c: Ctx) => new GroupHistory(c.redis, keysOf(c), c.config.delivery.groupHistory.cap, c.config.delivery.groupHistory.ttlSeconds) },
        { provide: LoadRunner, inject: [SERVICE_CONTEXT, SimAccess], useFactory: (c: Ctx, a: SimAccess) => new LoadRunner(c.logger, (uid) => a.tokenFor(uid)) },
      ],
    };
  }

  async onModuleDestroy(): Promise<void> {
    this.load.stop();
    this.events.close();
    await Promise.all([this.kafka.close(), this.watch.close()]);
  }
}
