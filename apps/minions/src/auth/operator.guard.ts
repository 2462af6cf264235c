import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { apiError } from '@spear/runtime';
import { readCookie, SESSION_COOKIE, SessionCookies } from './session-cookie';

/**
 * Guards the dashboard's API controllers: an operator session cookie is
 * needed (401 unauthorized otherwise). /healthz and /metrics stay open, as
 * on every service.
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(@Inject(SessionCookies) private readonly cookies: SessionCookies) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!this.cookies.valid(readCookie(request.headers.cookie, SESSION_COOKIE))) throw apiError('unauthorized', 'log in to the dashboard first');
    return true;
  }
}
