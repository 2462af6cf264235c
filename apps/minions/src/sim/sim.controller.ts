import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { uidSchema } from '@spear/protocol';
import { apiError, parseOr400 } from '@spear/runtime';
import { AuditTrail } from '../audit/audit-trail';
import { OperatorGuard } from '../auth/operator.guard';
import { LoadRunner, type LoadStatus } from '../sim/load-runner';
import { SimAccess } from './sim-access';

const tokenRequest = z.strictObject({ uid: uidSchema });
const loadRequest = z.strictObject({
  users: z.number().int().min(2).max(500),
  ratePerSec: z.number().min(0).max(2000),
  seconds: z.number().int().min(1).max(600),
});

/**
 * The simulator's server side. The browser acts as a user with a token this
 * server issues (the ticket admin key never leaves the server; never for a
 * reserved uid) and gets its tickets through /api/sim/v1/tickets, so
 * libs/client runs unchanged with ticketUrl "/api/sim". Load mode runs
 * simulated users in this process. Every token minted and every load run is
 * audited; the ticket requests are not (each needs a token, audited when it
 * was minted).
 */
@UseGuards(OperatorGuard)
@Controller('api/sim')
export class SimController {
  constructor(
    @Inject(SimAccess) private readonly access: SimAccess,
    @Inject(LoadRunner) private readonly load: LoadRunner,
    @Inject(AuditTrail) private readonly audit: AuditTrail,
  ) {}

  @Post('token')
  @HttpCode(201)
  async token(@Body() body: unknown, @Req() request: FastifyRequest): Promise<{ uid: string; token: string; ticketUrl: string }> {
    const { uid } = parseOr400(tokenRequest, body);
    const { token } = await this.audit.around(request, 'sim.token', uid, () => this.access.tokenFor(uid), () => ({ status: 201 }));
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

  /** Starts a load run: tokens are minted for its users (`sim-<run>-0`...), audited as one entry naming them. */
  @Post('load')
  @HttpCode(202)
  async startLoad(@Body() body: unknown, @Req() request: FastifyRequest): Promise<LoadStatus> {
    const spec = parseOr400(loadRequest, body);
    const summary = `${spec.users} users, ${spec.ratePerSec} msgs/s, ${spec.seconds} s`;
    await this.audit.around(
      request,
      'sim.load.start',
      '',
      async () => {
        const prefix = this.load.start(spec);
        if (prefix === undefined) throw apiError('bad_request', 'a load run is already going; stop it first');
        return prefix;
      },
      (prefix) => ({ status: 202, detail: `${summary}; tokens for ${prefix}0..${spec.users - 1}` }),
    );
    return this.load.current();
  }

  @Delete('load')
  async stopLoad(@Req() request: FastifyRequest): Promise<LoadStatus> {
    const wasRunning = this.load.running;
    await this.audit.around(request, 'sim.load.stop', '', async () => this.load.stop(), () => ({ status: 200, ...(wasRunning ? {} : { detail: 'no run was going' }) }));
    return this.load.current();
  }
}
