import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SERVICE_CONTEXT, type ServiceContext } from '../service-context';

@Controller()
export class HealthController {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext) {}

  /** 200 when every real dependency answers; 503 naming the ones that do not. */
  @Get('healthz')
  async healthz(@Res() reply: FastifyReply): Promise<void> {
    const report = await this.ctx.health.run();
    if (report.ok) {
      await reply.code(200).send({ status: 'ok', checks: report.checks });
      return;
    }
    const message = report.failing.map((name) => `${name}: ${report.checks[name]}`).join('; ');
    await reply.code(503).send({
      status: 'down',
      failing: report.failing,
      checks: report.checks,
      error: { code: 'dependency_down', message },
    });
  }

  @Get('metrics')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('content-type', this.ctx.metrics.registry.contentType).send(await this.ctx.metrics.render());
  }
}
