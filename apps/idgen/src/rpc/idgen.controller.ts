import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { NextBatchReply, NextIdReply } from '@spear/idgen-client';
import { RpcError } from '@spear/rpc';
import { SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { ClockBackwardsError } from '@spear/snowflake';
import { IdService } from '../worker/id-service';

/** idgen's RPC methods (service `idgen`). */
@Controller()
export class IdgenController {
  constructor(
    @Inject(IdService) private readonly ids: IdService,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<'idgen'>,
  ) {}

  @MessagePattern({ service: 'idgen', method: 'next' })
  next(): NextIdReply {
    return { id: guard(() => this.ids.next()) };
  }

  @MessagePattern({ service: 'idgen', method: 'nextBatch' })
  nextBatch(@Payload() request: unknown): NextBatchReply {
    const n = (request as { n?: unknown } | null)?.n;
    const max = this.ctx.config.idgen.maxBatch;
    if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > max) {
      throw new RpcError('bad_request', `n must be an integer from 1 to ${max}`);
    }
    return { ranges: guard(() => this.ids.nextRanges(n as number)), workerId: this.ids.workerId! };
  }
}

/** A clock that jumped back too far refuses with clock_backwards instead of risking a duplicate. */
function guard<T>(issue: () => T): T {
  try {
    return issue();
  } catch (error) {
    if (error instanceof ClockBackwardsError) throw new RpcError('clock_backwards', error.message);
    throw error;
  }
}
