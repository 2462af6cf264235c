import type { RedisClient } from '@spear/bus';
import type { RedisKeys } from '@spear/catalog';

/** A page of a group's members, sorted by uid; `next`: the last uid returned, or null at the end. */
export interface MemberPage {
  members: string[];
  next: string | null;
}

/**
 * Group memberships in Redis: per group its member uids and per uid its
 * groups, both sorted sets with score 0 so reads page by name (100,000
 * members of one group, 10,000 groups of one user: every read is bounded by
 * its page or the user's list).
 *
 * Consistency: the two sides live on different Cluster slots (the group's
 * tag, the uid's tag), so no transaction spans them. A change writes the
 * uid's side first, which is what connections read (at connect, and after a
 * bus gap); a failure between the two writes is repaired by repeating the
 * call (both writes are idempotent).
 */
export class Memberships {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async add(group: string, uid: string): Promise<void> {
    await this.redis.zadd(this.keys.userGroups(uid), 0, group);
    await this.redis.zadd(this.keys.groupMembers(group), 0, uid);
  }

  async remove(group: string, uid: string): Promise<void> {
    await this.redis.zrem(this.keys.userGroups(uid), group);
    await this.redis.zrem(this.keys.groupMembers(group), uid);
  }

  async isMember(group: string, uid: string): Promise<boolean> {
    return (await this.redis.zscore(this.keys.userGroups(uid), group)) !== null;
  }

  /** Members after `after` (exclusive), at most `limit`, sorted by uid. */
  async members(group: string, after: string | undefined, limit: number): Promise<MemberPage> {
    const from = after === undefined ? '-' : `(${after}`;
    const page = await this.redis.zrangebylex(this.keys.groupMembers(group), from, '+', 'LIMIT', 0, limit + 1);
    const members = page.slice(0, limit);
    return { members, next: page.length > limit ? members[members.length - 1]! : null };
  }

  async count(group: string): Promise<number> {
    return this.redis.zcard(this.keys.groupMembers(group));
  }

  /** Every group of `uid`, sorted. */
  groupsOf(uid: string): Promise<string[]> {
    return this.redis.zrangebylex(this.keys.userGroups(uid), '-', '+');
  }
}
