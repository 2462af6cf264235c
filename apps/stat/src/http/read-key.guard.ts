import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { apiError, BearerKeys, SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';

/**
 * stat's read API shows every node's figures and boot id: it answers
 * `Authorization: Bearer <adminKey>` (operators, minions) or
 * `Bearer <statReadKey>` (a dashboard that should hold no admin power), and
 * anything else with 401 unauthorized. /healthz and /metrics stay open, as on
 * every service.
 */
@Injectable()
export class StatReadGuard implements CanActivate {
  private readonly keys: BearerKeys;

  constructor(@Inject(SERVICE_CONTEXT) ctx: ServiceContext<'stat'>) {
    this.keys = new BearerKeys([ctx.config.secrets.adminKey, ctx.config.secrets.statReadKey]);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.keys.matches(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization)) throw apiError('unauthorized', 'stat answers Authorization: Bearer <admin key or stat read key>');
    return true;
  }
}
