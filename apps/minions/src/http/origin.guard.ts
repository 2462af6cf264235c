import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { dashboardError } from './dashboard-error';
import { originRefusal } from './origin-check';
import { ownOrigin } from './request-facts';

/** The profile's `minions.origin`, when it states one (lower case, no trailing slash). */
export const CONFIGURED_ORIGIN = Symbol('CONFIGURED_ORIGIN');

/**
 * Every route of the dashboard (a global guard): a state-changing request
 * from anywhere but the dashboard's own origin is refused with 403
 * `cross_origin` (or `origin_required` when it names none), before any
 * session is looked at. See originRefusal for the rules.
 */
@Injectable()
export class OriginGuard implements CanActivate {
  constructor(@Inject(CONFIGURED_ORIGIN) private readonly configured: string | undefined) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const refusal = originRefusal({ method: request.method, origin: header('origin'), referer: header('referer') }, this.configured ?? ownOrigin(request));
    if (refusal) throw dashboardError(403, refusal.code, refusal.message);
    return true;
  }
}
