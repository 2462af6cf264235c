import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { SERVICE_CONTEXT, type ServiceContext } from '../service-context';
import { apiError } from './api-error';
import { BearerKeys } from './bearer-keys';

/** Admin calls carry `Authorization: Bearer <adminKey>`; anything else is 401 unauthorized. */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly keys: BearerKeys;

  constructor(@Inject(SERVICE_CONTEXT) ctx: ServiceContext<'ticket'>) {
    this.keys = new BearerKeys([ctx.config.secrets.adminKey]);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.keys.matches(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization)) throw apiError('unauthorized');
    return true;
  }
}
