import { Controller, Get, Inject } from '@nestjs/common';
import { NodeRing, type SpearNode } from './node-ring';

@Controller('v1/nodes')
export class NodesController {
  constructor(@Inject(NodeRing) private readonly ring: NodeRing) {}

  /** The live spear nodes, as the ZooKeeper watch last saw them. */
  @Get()
  list(): { nodes: SpearNode[] } {
    return { nodes: this.ring.list() };
  }
}
