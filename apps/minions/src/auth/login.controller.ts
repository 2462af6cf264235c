import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { OPERATOR_NAME } from '@spear/config';
import { apiError, parseOr400 } from '@spear/runtime';
import { AuditTrail, failureOf } from '../audit/audit-trail';
import { dashboardError } from '../http/dashboard-error';
import { cameOverHttps, clientAddress } from '../http/request-facts';
import { LoginThrottle } from './login-throttle';
import { OperatorAccounts, type LoginVerdict } from './operator-accounts';
import { OperatorSessions } from './operator-sessions';
import { liveOperator } from './operator.guard';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './session-cookie';

const loginRequest = z.strictObject({
  name: z.string().regex(OPERATOR_NAME, 'an operator name is 1-64 characters of [A-Za-z0-9_.@-]'),
  password: z.string().min(1).max(200),
});
/** What a refused login is told, whichever of the two was wrong. */
const REFUSED = 'wrong name or password';

/**
 * Operator login and logout. A login checks the name and password against
 * the profile's operator accounts and starts a session (a random id in an
 * HttpOnly cookie, stored in Redis); logout deletes it. Every attempt is
 * audited, refused ones with the name tried and why.
 */
@Controller('api')
export class LoginController {
  constructor(
    @Inject(OperatorAccounts) private readonly accounts: OperatorAccounts,
    @Inject(OperatorSessions) private readonly sessions: OperatorSessions,
    @Inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @Inject(AuditTrail) private readonly audit: AuditTrail,
  ) {}

  /** Whether this browser is logged in, and as whom. */
  @Get('session')
  async session(@Req() request: FastifyRequest): Promise<{ authenticated: boolean; operator?: string }> {
    const operator = await liveOperator(this.sessions, this.accounts, request);
    return operator ? { authenticated: true, operator } : { authenticated: false };
  }

  @Post('login')
  @HttpCode(204)
  async login(@Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const { name, password } = parseOr400(loginRequest, body);
    const ip = clientAddress(request);
    if (!this.throttle.allowed(ip)) {
      await this.audit.record(request, name, 'login', '', { status: 429, detail: 'throttled: too many wrong passwords from this address' });
      throw apiError('rate_limited', 'too many wrong passwords; wait a minute');
    }
    let verdict: LoginVerdict;
    try {
      verdict = await this.accounts.verify(name, password);
    } catch (error) {
      await this.audit.record(request, name, 'login', '', failureOf(error));
      throw error;
    }
    if (!verdict.ok) {
      this.throttle.failed(ip);
      await this.audit.record(request, name, 'login', '', { status: 401, detail: verdict.reason });
      throw apiError('unauthorized', REFUSED);
    }
    // A fresh id at every login; a session this browser had before ends (no id outlives a login).
    await this.sessions.revoke(readCookie(request.headers.cookie, SESSION_COOKIE)).catch(() => undefined);
    let session: { id: string; maxAgeSeconds: number };
    try {
      session = await this.sessions.create(verdict.operator);
    } catch (error) {
      await this.audit.record(request, verdict.operator, 'login', '', failureOf(error));
      throw error;
    }
    const { id, maxAgeSeconds } = session;
    await this.audit.record(request, verdict.operator, 'login', '', { status: 204 });
    reply.header('set-cookie', sessionCookie(id, maxAgeSeconds, cameOverHttps(request)));
  }

  /** Ends this browser's session everywhere at once (its id is deleted from Redis) and clears the cookie. */
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    const session = await this.sessions.lookup(id).catch(() => undefined);
    reply.header('set-cookie', clearedSessionCookie(cameOverHttps(request)));
    try {
      await this.sessions.revoke(id);
    } catch (error) {
      const problem = `the session could not be deleted from Redis: ${(error as Error).message}`;
      if (session) await this.audit.record(request, session.operator, 'logout', '', { status: 503, detail: problem });
      throw dashboardError(503, 'engine_down', problem);
    }
    if (session) await this.audit.record(request, session.operator, 'logout', '', { status: 204 });
  }
}
