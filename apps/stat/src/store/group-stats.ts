import type { RedisClient } from '@spear/bus';
import type { RedisKeys } from '@spear/catalog';
import type { AppConfig } from '@spear/config';
import { GroupTraffic, Memberships, onlineIn, rulesOf } from '@spear/delivery';

/** One group's figures now. */
export interface GroupFigures {
  group: string;
  /** The namespace's policy (open, members or hook). */
  policy: string;
  members: number;
  /** Distinct uids with a live connection in the group. */
  online: number;
  /** Messages per second over the last 10 s. */
  msgsPerSecond: number;
}

/**
 * Group statistics, read from what spear and ticket keep in Redis
 * (memberships, presence, per-second traffic): stat stores nothing of its
 * own for groups, so its figures and ticket's GET /v1/groups/{group} agree.
 */
export class GroupStats {
  private readonly memberships: Memberships;
  private readonly traffic: GroupTraffic;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly groups: AppConfig<'stat'>['groups'],
  ) {
    this.memberships = new Memberships(redis, keys);
    this.traffic = new GroupTraffic(redis, keys);
  }

  async figures(group: string): Promise<GroupFigures> {
    const [members, online, msgsPerSecond] = await Promise.all([this.memberships.count(group), onlineIn(this.redis, this.keys, group), this.traffic.rate(group)]);
    return { group, policy: rulesOf(this.groups.namespaces, group).policy, members, online, msgsPerSecond };
  }

  /** Messages per second over the last `seconds` (at most 60), oldest first, `[epoch ms, count]`. */
  series(group: string, seconds: number): Promise<Array<[number, number]>> {
    return this.traffic.series(group, seconds);
  }

  /** The busiest groups of this minute and the last, each with its figures. */
  async busiest(limit: number): Promise<Array<GroupFigures & { messages: number }>> {
    const top = await this.traffic.busiest(limit);
    return Promise.all(top.map(async ({ group, messages }) => ({ ...(await this.figures(group)), messages })));
  }
}
