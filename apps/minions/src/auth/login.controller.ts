import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { apiError, parseOr400, SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { readCookie, SESSION_COOKIE, SessionCookies } from './session-cookie';

const loginRequest = z.strictObject({ password: z.string().min(1).max(200) });
const digest = (s: string) => createHash('sha256').update(s).digest();

/** Operator login with the profile's minions password; the session lives in an HttpOnly cookie. */
@Controller('api')
export class LoginController {
  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<'minions'>,
    @Inject(SessionCookies) private readonly cookies: SessionCookies | null,
  ) {}

  /** Whether this browser is logged in, and whether a login is needed at all. */
  @Get('session')
  session(@Req() request: FastifyRequest): { authenticated: boolean; passwordRequired: boolean } {
    if (!this.cookies) return { authenticated: true, passwordRequired: false };
    return { authenticated: this.cookies.valid(readCookie(request.headers.cookie, SESSION_COOKIE)), passwordRequired: true };
  }

  @Post('login')
  @HttpCode(204)
  login(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): void {
    const { password } = parseOr400(loginRequest, body);
    const expected = this.ctx.config.secrets.minionsPassword;
    if (!this.cookies || !expected) return;
    // Digests: the comparison takes the same time whatever the length.
    if (!timingSafeEqual(digest(password), digest(expected))) throw apiError('unauthorized', 'wrong password');
    const { value, maxAgeSeconds } = this.cookies.issue();
    reply.header('set-cookie', `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}`);
  }

  @Post('logout')
  @HttpCode(204)
  logout(@Res({ passthrough: true }) reply: FastifyReply): void {
    reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
  }
}
