import { Body, Controller, Delete, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { RedisKeys } from '@spear/catalog';
import { createTokenRequest, type CreateTokenResponse } from '@spear/protocol';
import { AdminGuard, apiError, parseOr400, SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { TokenStore } from './token-store';

/** Token issue and revocation for backends (admin key). */
@Controller('v1/tokens')
@UseGuards(AdminGuard)
export class TokensController {
  private readonly store: TokenStore;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<'ticket'>) {
    this.store = new TokenStore(ctx.redis, new RedisKeys(ctx.config.redis.keyPrefix), ctx.config.delivery.log.ttlSeconds);
  }

  @Post()
  @HttpCode(201)
  async issue(@Body() body: unknown): Promise<CreateTokenResponse> {
    const { uid, ttlSeconds } = parseOr400(createTokenRequest, body);
    const issued = await this.store.issue(uid, ttlSeconds ?? this.ctx.config.ticket.tokenTtlSeconds);
    return { token: issued.token, uid, expiresAt: issued.expiresAt };
  }

  @Delete(':token')
  @HttpCode(204)
  async revoke(@Param('token') token: string): Promise<void> {
    if (!(await this.store.revoke(token))) throw apiError('not_found', 'no such token');
  }
}
