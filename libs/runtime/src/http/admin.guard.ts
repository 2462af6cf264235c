import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { SERVICE_CONTEXT, type ServiceContext } from '../service-context';
import { apiError } from './api-error';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Admin calls carry `Authorization: Bearer <adminKey>`; anything else is 401 unauthorized. */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(SERVICE_CONTEXT) ctx: ServiceContext) {
    this.expected = digest(ctx.config.secrets.adminKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    // Compare digests so the comparison takes the same time whatever the key's length.
    if (!match || !timingSafeEqual(digest(match[1]!), this.expected)) throw apiError('unauthorized');
    return true;
  }
}
