import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { busiestGroupsQuery, groupSchema } from '@spear/protocol';
import { parseOr400 } from '@spear/runtime';
import { GroupStats, type GroupFigures } from '../store/group-stats';
import { groupSeriesQuery } from './query';
import { StatReadGuard } from './read-key.guard';

/** Group statistics (minions and operators read them, with a key: StatReadGuard). Bad names or queries are 400 bad_request. */
@Controller('v1/groups')
@UseGuards(StatReadGuard)
export class GroupStatsController {
  constructor(@Inject(GroupStats) private readonly stats: GroupStats) {}

  /** `{busiest: [...]}`: the groups with the most messages in this minute and the last (`limit` 1-100, default 10), each with its figures. */
  @Get()
  async busiest(@Query() query: unknown): Promise<{ busiest: Array<GroupFigures & { messages: number }> }> {
    const { limit } = parseOr400(busiestGroupsQuery, query);
    return { busiest: await this.stats.busiest(limit) };
  }

  /** One group's figures and its messages per second over the last `seconds` (1-60, default 60). */
  @Get(':group')
  async group(@Param('group') rawGroup: string, @Query() query: unknown): Promise<GroupFigures & { stepSeconds: 1; points: Array<[number, number]> }> {
    const group = parseOr400(groupSchema, rawGroup);
    const { seconds } = parseOr400(groupSeriesQuery, query);
    const [figures, points] = await Promise.all([this.stats.figures(group), this.stats.series(group, seconds)]);
    return { ...figures, stepSeconds: 1, points };
  }
}
