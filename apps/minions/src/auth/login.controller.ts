import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { apiError, parseOr400, SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { LoginThrottle } from './login-throttle';
import { readCookie, SESSION_COOKIE, SessionCookies } from './session-cookie';

const loginRequest = z.strictObject({ password: z.string().min(1).max(200) });
const digest = (s: string) => createHash('sha256').update(s).digest();

/** Operator login with the profile's minions password; the session lives in an HttpOnly cookie. */
@Controller('api')
export class LoginController {
  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<'minions'>,
    @Inject(SessionCookies) private readonly cookies: SessionCookies,
    @Inject(LoginThrottle) private readonly throttle: LoginThrottle,
  ) {}

  /** Whether this browser is logged in. */
  @Get('session')
  session(@Req() request: FastifyRequest): { authenticated: boolean } {
    return { authenticated: this.cookies.valid(readCookie(request.headers.cookie, SESSION_COOKIE)) };
  }

  @Post('login')
  @HttpCode(204)
  login(@Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    const { password } = parseOr400(loginRequest, body);
    if (!this.throttle.allowed(request.ip)) throw apiError('rate_limited', 'too many wrong passwords; wait a minute');
    // Digests: the comparison takes the same time whatever the length. (The module refuses to start without a password.)
    if (!timingSafeEqual(digest(password), digest(this.ctx.config.secrets.minionsPassword!))) {
      this.throttle.failed(request.ip);
      throw apiError('unauthorized', 'wrong password');
    }
    const { value, maxAgeSeconds } = this.cookies.issue();
    // Secure when the dashboard is reached over HTTPS (e.g. behind a TLS proxy that says so).
    const secure = request.protocol === 'https' ? '; Secure' : '';
    reply.header('set-cookie', `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure}`);
  }

  @Post('logout')
  @HttpCode(204)
  logout(@Res({ passthrough: true }) reply: FastifyReply): void {
    reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
  }
}
