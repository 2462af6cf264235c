import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { readRedisInfo } from './redis-info';
import { readTopology, type Topology } from './topology';

/** The dashboard's read API: ZooKeeper topology and Redis state, as the UI polls them. */
@Controller('api')
export class DashboardController {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<'minions'>) {}

  @Get('topology')
  async topology(): Promise<Topology> {
    if (this.ctx.registry.state !== 'connected') throw unavailable('zookeeper', this.ctx.registry.state);
    return readTopology(this.ctx.registry);
  }

  @Get('redis')
  async redis(): Promise<Record<string, string>> {
    if (this.ctx.redis.status !== 'ready') throw unavailable('redis', this.ctx.redis.status);
    return readRedisInfo(this.ctx.redis);
  }

  @Get('health')
  async health() {
    return this.ctx.health.run();
  }
}

function unavailable(engine: string, state: string): ServiceUnavailableException {
  return new ServiceUnavailableException({ error: { code: 'engine_down', message: `${engine} is ${state}` } });
}
