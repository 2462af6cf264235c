import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { pushBroadcastRequest, pushGroupRequest, pushUsersRequest } from '@spear/protocol';
import { AdminGuard, parseOr400 } from '@spear/runtime';
import { PushService } from './push-service';

/**
 * Push API for backends (admin key): to users, to a group, to everyone, as
 * `system`. Bodies are checked by the message path (its ProtocolErrors become
 * `400 bad_request` / `413 too_large` through the error filter).
 */
@Controller('v1/push')
@UseGuards(AdminGuard)
export class PushController {
  constructor(@Inject(PushService) private readonly push: PushService) {}

  /** 202 once every message is in its recipient's log; `from`: `system` (default) or `svc:<name>` (v1.1). */
  @Post('users')
  @HttpCode(202)
  async users(@Body() raw: unknown): Promise<{ ids: string[] }> {
    const { uids, body, from } = parseOr400(pushUsersRequest, raw);
    return { ids: await this.push.messages.toUsers(from ?? 'system', uids, body) };
  }

  /** 202 once the message is in the group's history; `from` as for users (beyond PROTOCOL.md). */
  @Post('groups')
  @HttpCode(202)
  async group(@Body() raw: unknown): Promise<{ id: string }> {
    const { group, body, from } = parseOr400(pushGroupRequest, raw);
    return { id: (await this.push.messages.toGroup(from ?? 'system', group, body)).id };
  }

  /** 202 once handed to the bus (broadcasts are not stored). */
  @Post('broadcast')
  @HttpCode(202)
  async broadcast(@Body() raw: unknown): Promise<{ id: string }> {
    const { body } = parseOr400(pushBroadcastRequest, raw);
    return { id: (await this.push.messages.broadcast(body)).id };
  }
}
