import type { FastifyRequest } from 'fastify';
import { apiError } from '@spear/runtime';

/** A request that OperatorGuard let through: it names the operator whose session it carries. */
export interface OperatorRequest extends FastifyRequest {
  operator?: string;
}

/** The operator behind a guarded request (500 if a route forgot its guard: never anonymous). */
export function operatorOf(request: FastifyRequest): string {
  const operator = (request as OperatorRequest).operator;
  if (!operator) throw apiError('internal', 'no operator on this request (a route without OperatorGuard)');
  return operator;
}
