import { shardedPipeline, type RedisClient } from '@spear/bus';
import type { RedisKeys } from '@spear/catalog';

/** Entries per refresh command (a node's pairs go in bounded chunks, as its routes do). */
const REFRESH_CHUNK = 500;

/**
 * Who is online in a group: per group a sorted set of `<node> <uid>` scored
 * by when the entry expires. A node adds its entry when a connection of the
 * uid enters the group, removes it when the uid's last connection there
 * leaves, and re-arms its entries with its route refresh; a dead node's
 * entries expire within the TTL.
 * Guarantee: `online` counts the distinct uids with a live connection in
 * the group, give or take a dead node's entries for up to the TTL.
 */
export class GroupPresence {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
    private readonly ttlSeconds: number,
  ) {}

  private member(uid: string): string {
    return `${this.nodeId} ${uid}`;
  }

  async enter(group: string, uid: string): Promise<void> {
    await this.redis.zadd(this.keys.groupOnline(group), Date.now() + this.ttlSeconds * 1000, this.member(uid));
  }

  async leave(group: string, uid: string): Promise<void> {
    await this.redis.zrem(this.keys.groupOnline(group), this.member(uid));
  }

  /** Re-arms this node's entries (each a [group, uid] pair with a connection here), REFRESH_CHUNK per pipeline. */
  async refresh(pairs: Iterable<readonly [string, string]>): Promise<void> {
    const expiry = Date.now() + this.ttlSeconds * 1000;
    let pipeline = shardedPipeline(this.redis);
    let n = 0;
    for (const [group, uid] of pairs) {
      pipeline.zadd(this.keys.groupOnline(group), expiry, this.member(uid));
      if (++n % REFRESH_CHUNK === 0) {
        await pipeline.exec();
        pipeline = shardedPipeline(this.redis);
      }
    }
    if (n % REFRESH_CHUNK !== 0) await pipeline.exec();
  }
}

/** Reads a group's presence (ticket's GET /v1/groups/{group}); drops expired entries as it reads. */
export async function onlineIn(redis: RedisClient, keys: RedisKeys, group: string, now = Date.now()): Promise<number> {
  const key = keys.groupOnline(group);
  const [, live] = (await redis.multi().zremrangebyscore(key, '-inf', now).zrangebyscore(key, now, '+inf').exec()) as [[null, number], [null, string[]]];
  return new Set(live[1].map((entry) => entry.slice(entry.indexOf(' ') + 1))).size;
}
