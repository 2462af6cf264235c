import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { encodedSize, pushBroadcastRequest, pushGroupRequest, pushUsersRequest } from '@spear/protocol';
import { AdminGuard, apiError, parseOr400, SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { PushService } from './push-service';

/** Push API for backends (admin key): to users, to a group, to everyone. `from` is "system". */
@Controller('v1/push')
@UseGuards(AdminGuard)
export class PushController {
  constructor(
    @Inject(PushService) private readonly push: PushService,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<'ticket'>,
  ) {}

  /** 202 once every message is in its recipient's inbox. */
  @Post('users')
  @HttpCode(202)
  async users(@Body() raw: unknown): Promise<{ ids: string[] }> {
    const { uids, body } = parseOr400(pushUsersRequest, raw);
    this.checkBody(body);
    const ts = Date.now();
    const ids = await Promise.all(uids.map(() => this.push.ids.next()));
    await Promise.all(uids.map((to, i) => this.push.router.toUser({ id: ids[i]!, from: 'system', to, body, ts })));
    return { ids };
  }

  /** 202 once the message is in the group's history. */
  @Post('groups')
  @HttpCode(202)
  async group(@Body() raw: unknown): Promise<{ id: string }> {
    const { group, body } = parseOr400(pushGroupRequest, raw);
    this.checkBody(body);
    const id = await this.push.ids.next();
    await this.push.router.toGroup({ id, group, from: 'system', body, ts: Date.now() });
    return { id };
  }

  /** 202 once handed to the bus (broadcasts are not stored). */
  @Post('broadcast')
  @HttpCode(202)
  async broadcast(@Body() raw: unknown): Promise<{ id: string }> {
    const { body } = parseOr400(pushBroadcastRequest, raw);
    this.checkBody(body);
    const id = await this.push.ids.next();
    await this.push.router.broadcast({ id, body, ts: Date.now() });
    return { id };
  }

  private checkBody(body: unknown): void {
    if (body === undefined) throw apiError('bad_request', 'body: required');
    const max = this.ctx.config.delivery.maxBodyBytes;
    if (encodedSize(body) > max) throw apiError('too_large', `body is larger than ${max} bytes`);
  }
}
