import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { RedisKeys } from '@spear/catalog';
import { Memberships } from '@spear/delivery';
import { disconnectUserRequest, uidSchema } from '@spear/protocol';
import { AdminGuard, parseOr400, SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { PushService } from '../push/push-service';
import { TokenStore } from '../tokens/token-store';

/** What a backend does to a user's live connections and tokens (admin key; PROTOCOL.md v1.1). */
@Controller('v1/users')
@UseGuards(AdminGuard)
export class UsersController {
  private readonly tokens: TokenStore;
  private readonly memberships: Memberships;

  constructor(
    @Inject(SERVICE_CONTEXT) ctx: ServiceContext<'ticket'>,
    @Inject(PushService) private readonly push: PushService,
  ) {
    const keys = new RedisKeys(ctx.config.redis.keyPrefix);
    this.tokens = new TokenStore(ctx.redis, keys, ctx.config.delivery.log.ttlSeconds);
    this.memberships = new Memberships(ctx.redis, keys);
  }

  /** 200 `{groups}`: the groups `uid` is a member of, sorted. */
  @Get(':uid/groups')
  async groups(@Param('uid') rawUid: string): Promise<{ groups: string[] }> {
    return { groups: await this.memberships.groupsOf(parseOr400(uidSchema, rawUid)) };
  }

  /** 204; every live connection of `uid`, on any node, gets `kicked {reason}` (default "kicked") and is closed. */
  @Post(':uid/disconnect')
  @HttpCode(204)
  async disconnect(@Param('uid') rawUid: string, @Body() body: unknown): Promise<void> {
    const uid = parseOr400(uidSchema, rawUid);
    const reason = parseOr400(disconnectUserRequest, body ?? undefined)?.reason ?? 'kicked';
    await this.push.kick(uid, reason);
  }

  /** 204; every opaque token of `uid` stops working, JWTs issued before now are refused, live connections are kicked ("revoked"). */
  @Delete(':uid/tokens')
  @HttpCode(204)
  async revokeTokens(@Param('uid') rawUid: string): Promise<void> {
    const uid = parseOr400(uidSchema, rawUid);
    await this.tokens.revokeAll(uid);
    await this.push.kick(uid, 'revoked');
  }
}
