import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { apiError } from '@spear/runtime';
import { OperatorAccounts } from './operator-accounts';
import type { OperatorRequest } from './operator-request';
import { OperatorSessions } from './operator-sessions';
import { readCookie, SESSION_COOKIE } from './session-cookie';

/**
 * Guards the dashboard's API controllers: a live operator session (the
 * cookie's id in Redis, of an operator the profile still lists) is needed,
 * 401 unauthorized otherwise. The operator's name goes on the request for
 * the audit log. /healthz and /metrics stay open, as on every service.
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(
    @Inject(OperatorSessions) private readonly sessions: OperatorSessions,
    @Inject(OperatorAccounts) private readonly accounts: OperatorAccounts,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const operator = await liveOperator(this.sessions, this.accounts, request);
    if (!operator) throw apiError('unauthorized', 'log in to the dashboard first');
    (request as OperatorRequest).operator = operator;
    return true;
  }
}

/** The operator of the request's session: only while the session lives and its operator is still in the profile. */
export async function liveOperator(sessions: OperatorSessions, accounts: OperatorAccounts, request: FastifyRequest): Promise<string | undefined> {
  const session = await sessions.lookup(readCookie(request.headers.cookie, SESSION_COOKIE));
  return session && accounts.has(session.operator) ? session.operator : undefined;
}
