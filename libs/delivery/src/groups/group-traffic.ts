import { shardedPipeline, type RedisClient } from '@spear/bus';
import type { RedisKeys } from '@spear/catalog';

/** Seconds a per-second count is kept (a rate reads the last RATE_WINDOW of them). */
const KEEP_SECONDS = 60;
const RATE_WINDOW = 10;

/**
 * Messages per group over time, in Redis: a hash per group of counts per
 * second (the last minute), and a sorted set per minute of counts per group
 * (the busiest groups). Counting is four pipelined commands beside the
 * history append; statistics only, so a failed count loses nothing else.
 */
export class GroupTraffic {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** One message published to `group` at `now`. */
  async count(group: string, now = Date.now()): Promise<void> {
    const second = Math.floor(now / 1000);
    const minute = Math.floor(second / 60);
    const perSecond = this.keys.groupTraffic(group);
    const busiest = this.keys.busiestGroups(minute);
    // The group's hash and the minute's set are on different slots of a cluster: a sharded pipeline.
    await shardedPipeline(this.redis)
      .hincrby(perSecond, String(second), 1)
      .hdel(perSecond, String(second - KEEP_SECONDS))
      .expire(perSecond, KEEP_SECONDS * 2)
      .zincrby(busiest, 1, group)
      .expire(busiest, 180)
      .exec();
  }

  /** Messages per second in `group` over the last RATE_WINDOW full seconds. */
  async rate(group: string, now = Date.now()): Promise<number> {
    const second = Math.floor(now / 1000);
    const fields = Array.from({ length: RATE_WINDOW }, (_, i) => String(second - 1 - i));
    const counts = await this.redis.hmget(this.keys.groupTraffic(group), ...fields);
    return counts.reduce((n, c) => n + Number(c ?? 0), 0) / RATE_WINDOW;
  }

  /** Messages in `group` per second over the last `seconds` full seconds (at most KEEP_SECONDS), oldest first: `[epoch ms, count]`. */
  async series(group: string, seconds = KEEP_SECONDS, now = Date.now()): Promise<Array<[number, number]>> {
    const span = Math.min(Math.max(1, Math.floor(seconds)), KEEP_SECONDS);
    const last = Math.floor(now / 1000) - 1;
    const wanted = Array.from({ length: span }, (_, i) => last - span + 1 + i);
    const counts = await this.redis.hmget(this.keys.groupTraffic(group), ...wanted.map(String));
    return wanted.map((second, i) => [second * 1000, Number(counts[i] ?? 0)]);
  }

  /** The `limit` groups with the most messages in the current minute and the one before, busiest first. */
  async busiest(limit: number, now = Date.now()): Promise<Array<{ group: string; messages: number }>> {
    const minute = Math.floor(now / 60_000);
    const [previous, current] = await Promise.all(
      [minute - 1, minute].map((m) => this.redis.zrevrange(this.keys.busiestGroups(m), 0, limit * 4 - 1, 'WITHSCORES')),
    );
    const totals = new Map<string, number>();
    for (const list of [previous!, current!]) for (let i = 0; i < list.length; i += 2) totals.set(list[i]!, (totals.get(list[i]!) ?? 0) + Number(list[i + 1]));
    return [...totals].map(([group, messages]) => ({ group, messages })).sort((a, b) => b.messages - a.messages || a.group.localeCompare(b.group)).slice(0, limit);
  }
}
