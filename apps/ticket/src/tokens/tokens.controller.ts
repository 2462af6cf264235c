import { Body, Controller, Delete, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { RedisKeys } from '@spear/catalog';
import { createTokenRequest, type CreateTokenResponse } from '@spear/protocol';
import { AdminGuard, apiError, parseOr400, SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { PushService } from '../push/push-service';
import { refOfToken, TokenStore } from './token-store';

/** Token issue and revocation for backends (admin key). */
@Controller('v1/tokens')
@UseGuards(AdminGuard)
export class TokensController {
  private readonly store: TokenStore;

  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<'ticket'>,
    @Inject(PushService) private readonly push: PushService,
  ) {
    this.store = new TokenStore(ctx.redis, new RedisKeys(ctx.config.redis.keyPrefix), ctx.config.delivery.log.ttlSeconds);
  }

  @Post()
  @HttpCode(201)
  async issue(@Body() body: unknown): Promise<CreateTokenResponse> {
    const { uid, ttlSeconds } = parseOr400(createTokenRequest, body);
    const issued = await this.store.issue(uid, ttlSeconds ?? this.ctx.config.ticket.tokenTtlSeconds);
    return { token: issued.token, uid, expiresAt: issued.expiresAt };
  }

  /** 204: the token stops working at once, and every live connection its tickets opened is kicked ("revoked"). */
  @Delete(':token')
  @HttpCode(204)
  async revoke(@Param('token') token: string): Promise<void> {
    const uid = await this.store.revoke(token);
    if (uid === undefined) throw apiError('not_found', 'no such token');
    await this.push.kick(uid, 'revoked', refOfToken(token));
  }
}
