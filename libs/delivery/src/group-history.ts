import type Redis from 'ioredis';
import type { RedisKeys } from '@spear/catalog';
import { compareIds } from '@spear/snowflake';
import { ProtocolError, type GroupEvent } from '@spear/protocol';

/** Appends, trims to `cap`, and remembers the newest id trimmed away (the floor of what `since` can reach). */
const APPEND = `
redis.call('RPUSH', KEYS[1], ARGV[2])
local n = redis.call('LLEN', KEYS[1])
local cap = tonumber(ARGV[3])
if n > cap then
  local dropped = redis.call('LPOP', KEYS[1], n - cap)
  local last = cjson.decode(dropped[#dropped])
  redis.call('SET', KEYS[2], last['id'])
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1`;

/**
 * A bounded per-group log in Redis for `join` with `since`.
 * Guarantee: `append` resolves once the message is in the history; `since`
 * returns every retained message after the given id, or throws
 * ProtocolError('history_gone') when messages after it were already trimmed.
 */
export class GroupHistory {
  /** `keys`: the profile's key names (libs/catalog); a group's log and floor share a hash slot. */
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly cap: number,
    private readonly ttlSeconds: number,
  ) {
    redis.defineCommand('spearGroupAppend', { numberOfKeys: 2, lua: APPEND });
  }

  async append(message: GroupEvent): Promise<void> {
    const k = this.keys.group(message.group);
    await (this.redis as unknown as HistoryCommands).spearGroupAppend(k.log, k.floor, message.id, JSON.stringify(message), this.cap, this.ttlSeconds);
  }

  async since(group: string, since: string): Promise<GroupEvent[]> {
    const k = this.keys.group(group);
    const [floor, entries] = await Promise.all([this.redis.get(k.floor), this.redis.lrange(k.log, 0, -1)]);
    if (floor !== null && compareIds(since, floor) < 0) throw new ProtocolError('history_gone', `history of ${group} starts after ${floor}`);
    return entries.map((e) => JSON.parse(e) as GroupEvent).filter((m) => compareIds(m.id, since) > 0);
  }
}

interface HistoryCommands {
  spearGroupAppend(log: string, floor: string, id: string, json: string, cap: number, ttl: number): Promise<number>;
}
