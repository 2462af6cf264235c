import { Module, type DynamicModule } from '@nestjs/common';
import { RedisKeys } from '@spear/catalog';
import { SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { GroupStatsController } from './http/group-stats.controller';
import { StatHttpController } from './http/stat-http.controller';
import { StatController } from './rpc/stat.controller';
import { GroupStats } from './store/group-stats';
import { NodeStats } from './store/node-stats';
import { RpcStats } from './store/rpc-stats';

/** The profile's Redis key names (libs/catalog). */
const keysOf = (ctx: ServiceContext<'stat'>) => new RedisKeys(ctx.config.redis.keyPrefix);

@Module({})
export class StatModule {
  static register(): DynamicModule {
    return {
      module: StatModule,
      controllers: [StatController, StatHttpController, GroupStatsController],
      providers: [
        { provide: NodeStats, inject: [SERVICE_CONTEXT], useFactory: (ctx: ServiceContext<'stat'>) => new NodeStats(ctx.redis, keysOf(ctx), ctx.config.stat, ctx.config.stat.staleAfterMs) },
        { provide: GroupStats, inject: [SERVICE_CONTEXT], useFactory: (ctx: ServiceContext<'stat'>) => new GroupStats(ctx.redis, keysOf(ctx), ctx.config.groups) },
        { provide: RpcStats, inject: [SERVICE_CONTEXT], useFactory: (ctx: ServiceContext<'stat'>) => new RpcStats(ctx.redis, keysOf(ctx), ctx.config.stat) },
      ],
    };
  }
}
