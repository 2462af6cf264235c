import { Controller, Get, Inject } from '@nestjs/common';
import { SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';

/** What a spear node publishes at /nodes/spear/<nodeId>. */
interface SpearNodeData {
  url: string;
  weight: number;
}

@Controller('v1/nodes')
export class NodesController {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<'ticket'>) {}

  /** The live spear nodes, as registered in ZooKeeper. */
  @Get()
  async list(): Promise<{ nodes: Array<{ id: string; url: string; weight: number }> }> {
    const entries = await this.ctx.registry.list<SpearNodeData>('/nodes/spear');
    return { nodes: entries.map(({ name, data }) => ({ id: name, url: data.url, weight: data.weight })) };
  }
}
