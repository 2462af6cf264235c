import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { z } from 'zod';
import { RpcError } from '@spear/rpc';
import { nodeReport, rpcStatsBatch, STAT_METHODS, STAT_SERVICE, type StatAck } from '@spear/stat-client';
import { NodeStats } from '../store/node-stats';
import { RpcStats } from '../store/rpc-stats';

/** stat's RPC methods (service `stat`): what spear nodes and every service's RPC layer send. */
@Controller()
export class StatController {
  constructor(
    @Inject(NodeStats) private readonly nodes: NodeStats,
    @Inject(RpcStats) private readonly rpc: RpcStats,
  ) {}

  @MessagePattern({ service: STAT_SERVICE, method: STAT_METHODS.report })
  async report(@Payload() payload: unknown): Promise<StatAck> {
    return { stored: await this.nodes.record(parseOrRefuse(nodeReport, payload)) };
  }

  @MessagePattern({ service: STAT_SERVICE, method: STAT_METHODS.rpcStats })
  async rpcStats(@Payload() payload: unknown): Promise<StatAck> {
    return { stored: await this.rpc.record(parseOrRefuse(rpcStatsBatch, payload)) };
  }
}

/** Bad input is refused with bad_request naming the field, never stored. */
function parseOrRefuse<T>(schema: z.ZodType<T>, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new RpcError('bad_request', `${issue.path.map(String).join('.') || 'payload'}: ${issue.message}`);
}
