import type { RedisClient } from '@spear/bus';
import type { RedisKeys } from '@spear/catalog';

/** A stored 1:1 message to check: still unacked by every device of `uid` when it falls due? */
export interface UndeliveredEntry {
  uid: string;
  id: string;
  /** Its seq in `uid`'s log. */
  seq: number;
  from: string;
  ts: number;
}

/** Takes due entries: each one's score moves a lease ahead, so another node takes it again if this one dies before settling it. */
const CLAIM = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[3], member) end
return due`;

/**
 * The durable delayed checks behind the undelivered hook (PROTOCOL.md v1.1),
 * in one Redis sorted set. Writers (spear nodes, ticket's push API) schedule
 * each stored 1:1 message; any spear node claims what is due. A claim is a
 * lease, not a removal: an entry leaves the set only once its message was
 * found acked or the hook answered, so a node killed at any point loses no
 * check.
 *
 * Guarantee: at-least-once per scheduled message (a lease that runs out
 * while its holder is still calling hands the entry to another node:
 * duplicates are possible, the hook dedupes by `id`).
 */
export class UndeliveredChecks {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly afterMs: number,
  ) {
    redis.defineCommand('spearUndeliveredClaim', { numberOfKeys: 1, lua: CLAIM });
  }

  /** Due `afterMs` after `now` (the message's store time). */
  async schedule(entry: UndeliveredEntry, now = Date.now()): Promise<void> {
    await this.redis.zadd(this.keys.undeliveredDue(), now + this.afterMs, JSON.stringify(entry));
  }

  /** Up to `limit` entries due at `now`, each leased to the caller until `now + leaseMs`. */
  async claim(now: number, limit: number, leaseMs: number): Promise<Array<{ entry: UndeliveredEntry; member: string }>> {
    const members = await (this.redis as unknown as ClaimCommand).spearUndeliveredClaim(this.keys.undeliveredDue(), now, limit, now + leaseMs);
    return members.flatMap((member) => {
      try {
        return [{ entry: JSON.parse(member) as UndeliveredEntry, member }];
      } catch {
        return []; // not ours; left to its lease (it can never be settled by a check)
      }
    });
  }

  /** The check is over (acked, or the hook answered): the entry goes. */
  async settle(member: string): Promise<void> {
    await this.redis.zrem(this.keys.undeliveredDue(), member);
  }

  /** Whether any device of `uid` acked `seq` (its cursor reached it, or it is among the seqs acked above the cursor). */
  async ackedByAnyDevice(uid: string, seq: number): Promise<boolean> {
    const fields = await this.redis.hgetall(this.keys.log(uid).devices);
    for (const [field, value] of Object.entries(fields)) {
      if (field.endsWith('#t')) continue;
      if (field.endsWith('#a')) {
        if (value.split(',').some((s) => Number(s) === seq)) return true;
      } else if (Number(value) >= seq) return true;
    }
    return false;
  }

  /** Entries waiting (statistics). */
  pending(): Promise<number> {
    return this.redis.zcard(this.keys.undeliveredDue());
  }
}

interface ClaimCommand {
  spearUndeliveredClaim(key: string, now: number, limit: number, leaseUntil: number): Promise<string[]>;
}

/** The checks a writer schedules when the profile turns the undelivered hook on (`delivery.undeliveredAfterSeconds`); none otherwise. */
export function undeliveredChecksOf(redis: RedisClient, keys: RedisKeys, delivery: { undeliveredAfterSeconds?: number }): UndeliveredChecks | undefined {
  return delivery.undeliveredAfterSeconds === undefined ? undefined : new UndeliveredChecks(redis, keys, delivery.undeliveredAfterSeconds * 1000);
}
