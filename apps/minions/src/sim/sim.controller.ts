import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { uidSchema } from '@spear/protocol';
import { apiError, parseOr400 } from '@spear/runtime';
import { LoadRunner, type LoadStatus } from '../sim/load-runner';
import { SimAccess } from './sim-access';
import { OperatorGuard } from '../auth/operator.guard';

const tokenRequest = z.strictObject({ uid: uidSchema });
const loadRequest = z.strictObject({
  users: z.number().int().min(2).max(500),
  ratePerSec: z.number().min(0).max(2000),
  seconds: z.number().int().min(1).max(600),
});

/**
 * The simulator's server side. The browser acts as a user with a token this
 * server issues (the ticket admin key never leaves the server) and gets its
 * tickets through /api/sim/v1/tickets, so libs/client runs unchanged with
 * ticketUrl "/api/sim". Load mode runs simulated users in this process.
 */
@UseGuards(OperatorGuard)
@Controller('api/sim')
export class SimController {
  constructor(
    @Inject(SimAccess) private readonly access: SimAccess,
    @Inject(LoadRunner) private readonly load: LoadRunner,
  ) {}

  @Post('token')
  @HttpCode(201)
  async token(@Body() body: unknown): Promise<{ uid: string; token: string; ticketUrl: string }> {
    const { uid } = parseOr400(tokenRequest, body);
    const { token } = await this.access.tokenFor(uid);
    return { uid, token, ticketUrl: '/api/sim' };
  }

  /** ticket's POST /v1/tickets, answered as ticket answers it (status and body). */
  @Post('v1/tickets')
  async ticket(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const res = await this.access.ticketFor(body);
    void reply.status(res.status).header('content-type', 'application/json').send(res.body);
  }

  @Get('load')
  loadStatus(): LoadStatus {
    return this.load.current();
  }

  @Post('load')
  @HttpCode(202)
  startLoad(@Body() body: unknown): LoadStatus {
    const spec = parseOr400(loadRequest, body);
    if (!this.load.start(spec)) throw apiError('bad_request', 'a load run is already going; stop it first');
    return this.load.current();
  }

  @Delete('load')
  stopLoad(): LoadStatus {
    this.load.stop();
    return this.load.current();
  }
}
