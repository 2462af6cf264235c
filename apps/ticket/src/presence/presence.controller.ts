import { Controller, Get, Inject, Param, UseGuards } from '@nestjs/common';
import { uidSchema, type PresenceResponse } from '@spear/protocol';
import { AdminGuard, parseOr400 } from '@spear/runtime';
import { PushService } from '../push/push-service';

/** Presence (admin key): whether a uid is online and on which nodes, from spear's route table. */
@Controller('v1/presence')
@UseGuards(AdminGuard)
export class PresenceController {
  constructor(@Inject(PushService) private readonly push: PushService) {}

  @Get(':uid')
  async presence(@Param('uid') raw: string): Promise<PresenceResponse> {
    const uid = parseOr400(uidSchema, raw);
    const nodes = (await this.push.routes.nodesOf(uid)).sort();
    return { uid, online: nodes.length > 0, nodes };
  }
}
