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
    return { stored: await this.nodes.record(recent(parseOrRefuse(nodeReport, payload))) };
  }

  @MessagePattern({ service: STAT_SERVICE, method: STAT_METHODS.rpcStats })
  async rpcStats(@Payload() payload: unknown): Promise<StatAck> {
    return { stored: await this.rpc.record(recent(parseOrRefuse(rpcStatsBatch, payload))) };
  }
}

/** How far a sender's clock may be from stat's: further, its buckets would land outside any series. */
const MAX_SKEW_MS = 5 * 60_000;

/** A batch measured at a plausible time (a sender's clock may lag a little, or a resend come late). */
function recent<T extends { at: number }>(batch: T, now = Date.now()): T {
  if (Math.abs(batch.at - now) > MAX_SKEW_MS) throw new RpcError('bad_request', `at: ${batch.at} is more than ${MAX_SKEW_MS / 60_000} minutes from stat's clock`);
  return batch;
}

/** Bad input is refused with bad_request naming the field, never stored. */
function parseOrRefuse<T>(schema: z.ZodType<T>, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new RpcError('bad_request', `${issue.path.map(String).join('.') || 'payload'}: ${issue.message}`);
}
