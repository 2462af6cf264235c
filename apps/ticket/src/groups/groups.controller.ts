import { Controller, Delete, Get, HttpCode, Inject, Param, Put, Query, UseGuards } from '@nestjs/common';
import { RedisKeys } from '@spear/catalog';
import { GroupTraffic, Memberships, onlineIn, rulesOf, type MemberPage } from '@spear/delivery';
import { busiestGroupsQuery, groupMembersQuery, groupSchema, uidSchema } from '@spear/protocol';
import { AdminGuard, parseOr400, SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { PushService } from '../push/push-service';

/**
 * Group memberships (admin key; PROTOCOL.md v1.1). A change is stored, then
 * announced on the bus: within 1 s every live connection of the uid, on any
 * node, is in (or out of) the group; a node that missed the announcement
 * reconciles after its bus gap.
 */
@Controller('v1/groups')
@UseGuards(AdminGuard)
export class GroupsController {
  readonly memberships: Memberships;
  private readonly keys: RedisKeys;
  private readonly trafficCounts: GroupTraffic;

  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<'ticket'>,
    @Inject(PushService) private readonly push: PushService,
  ) {
    this.keys = new RedisKeys(ctx.config.redis.keyPrefix);
    this.memberships = new Memberships(ctx.redis, this.keys);
    this.trafficCounts = new GroupTraffic(ctx.redis, this.keys);
  }

  /** 200 `{group, policy, members, online}`: the namespace's policy, the member count, distinct uids with a live connection in it now. */
  @Get(':group')
  async stats(@Param('group') rawGroup: string): Promise<{ group: string; policy: string; members: number; online: number }> {
    const group = parseOr400(groupSchema, rawGroup);
    const [members, online] = await Promise.all([this.memberships.count(group), onlineIn(this.ctx.redis, this.keys, group)]);
    return { group, policy: rulesOf(this.ctx.config.groups.namespaces, group).policy, members, online };
  }

  /** 200 `{group, msgsPerSecond}` (beyond PROTOCOL.md): messages per second over the last 10 s. */
  @Get(':group/traffic')
  async traffic(@Param('group') rawGroup: string): Promise<{ group: string; msgsPerSecond: number }> {
    const group = parseOr400(groupSchema, rawGroup);
    return { group, msgsPerSecond: await this.trafficCounts.rate(group) };
  }

  /** 200 `{busiest: [{group, messages}]}` (beyond PROTOCOL.md): the groups with the most messages in this minute and the last, at most `limit` (1-100, default 10). */
  @Get()
  async busiest(@Query() query: unknown): Promise<{ busiest: Array<{ group: string; messages: number }> }> {
    const { limit } = parseOr400(busiestGroupsQuery, query);
    return { busiest: await this.trafficCounts.busiest(limit) };
  }

  @Put(':group/members/:uid')
  @HttpCode(204)
  add(@Param('group') rawGroup: string, @Param('uid') rawUid: string): Promise<void> {
    return this.change(rawGroup, rawUid, 'add');
  }

  @Delete(':group/members/:uid')
  @HttpCode(204)
  remove(@Param('group') rawGroup: string, @Param('uid') rawUid: string): Promise<void> {
    return this.change(rawGroup, rawUid, 'remove');
  }

  /** Stores the change, then announces it to every node (its live connections follow). */
  private async change(rawGroup: string, rawUid: string, op: 'add' | 'remove'): Promise<void> {
    const [group, uid] = [parseOr400(groupSchema, rawGroup), parseOr400(uidSchema, rawUid)];
    await (op === 'add' ? this.memberships.add(group, uid) : this.memberships.remove(group, uid));
    await this.push.membershipChanged(uid, group, op);
  }

  @Get(':group/members')
  async members(@Param('group') rawGroup: string, @Query() query: unknown): Promise<MemberPage> {
    const group = parseOr400(groupSchema, rawGroup);
    const { after, limit } = parseOr400(groupMembersQuery, query);
    return this.memberships.members(group, after, limit);
  }
}
