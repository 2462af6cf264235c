import { createBus, type Bus } from '@spear/bus';
import { GroupHistory, Inbox, MessageRouter, RouteReader } from '@spear/delivery';
import { PrefetchingIdSource } from '@spear/idgen-client';
import type { ServiceContext } from '@spear/runtime';

/**
 * ticket's side of delivery: the same inbox, group history, route table and
 * bus that spear nodes use, so a pushed 1:1 message is stored and acked like
 * any other; ids come from idgen.
 */
export class PushService {
  readonly router: MessageRouter;
  readonly routes: RouteReader;
  readonly ids: PrefetchingIdSource;

  private constructor(
    ctx: ServiceContext<'ticket'>,
    private readonly bus: Bus,
  ) {
    const { delivery } = ctx.config;
    this.routes = new RouteReader(ctx.redis);
    this.router = new MessageRouter(
      new Inbox(ctx.redis, delivery.inbox.cap, delivery.inbox.ttlSeconds),
      new GroupHistory(ctx.redis, delivery.groupHistory.cap, delivery.groupHistory.ttlSeconds),
      bus,
    );
    this.ids = new PrefetchingIdSource(ctx.rpc, { batch: 1024 });
  }

  static start(ctx: ServiceContext<'ticket'>): PushService {
    const { config } = ctx;
    // Publish-only: ticket is not a node, it receives nothing (no topic or consumer group of its own).
    const bus = createBus({ bus: config.bus, redis: { url: config.redis.url }, kafka: config.kafka, logger: ctx.logger });
    return new PushService(ctx, bus);
  }

  close(): Promise<void> {
    return this.bus.close();
  }
}
