import type { RedisClient } from '@spear/bus';
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
 * One page after `since`: the floor (newest id trimmed, or false) and at most
 * `limit` entries after `since`, oldest first. Entries are JSON that starts
 * with `{"id":"<digits>"`, so the id is read without decoding; ids are
 * snowflakes appended in about increasing order (append writes the id first), so a binary search with
 * LINDEX finds the first entry after `since` (O(log n) reads, whatever the
 * cap), then steps back over the few appended slightly out of order.
 */
const PAGE = `
local function idOf(entry) return string.match(entry, '^{"id":"(%d+)"') or '0' end
local function after(a, b) return #a > #b or (#a == #b and a > b) end
local since, limit = ARGV[1], tonumber(ARGV[2])
local n = redis.call('LLEN', KEYS[1])
local lo, hi = 0, n
while lo < hi do
  local mid = math.floor((lo + hi) / 2)
  if after(idOf(redis.call('LINDEX', KEYS[1], mid)), since) then hi = mid else lo = mid + 1 end
end
for _ = 1, 32 do
  if lo == 0 or not after(idOf(redis.call('LINDEX', KEYS[1], lo - 1)), since) then break end
  lo = lo - 1
end
local page = {}
if lo < n then page = redis.call('LRANGE', KEYS[1], lo, lo + limit - 1) end
return {redis.call('GET', KEYS[2]), page}`;

/**
 * A bounded per-group log in Redis for `join` with `since`.
 * Guarantee: `append` resolves once the message is in the history; `since`
 * returns retained messages after the given id, oldest first, at most
 * `limit` per call (a caller pages by passing the last id it got), or throws
 * ProtocolError('history_gone') when messages after it were already trimmed.
 * One page costs Redis O(log n) reads plus the page, and the node one page
 * of memory, however far back `since` is.
 */
export class GroupHistory {
  /** `keys`: the profile's key names (libs/catalog); a group's log and floor share a hash slot. */
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly cap: number,
    private readonly ttlSeconds: number,
  ) {
    redis.defineCommand('spearGroupAppend', { numberOfKeys: 2, lua: APPEND });
    redis.defineCommand('spearGroupPage', { numberOfKeys: 2, lua: PAGE });
  }

  async append(message: GroupEvent): Promise<void> {
    const k = this.keys.group(message.group);
    const { id, ...rest } = message; // the id first: the page script reads it without decoding
    await (this.redis as unknown as HistoryCommands).spearGroupAppend(k.log, k.floor, id, JSON.stringify({ id, ...rest }), this.cap, this.ttlSeconds);
  }

  async since(group: string, since: string, limit = Number.MAX_SAFE_INTEGER): Promise<GroupEvent[]> {
    const k = this.keys.group(group);
    const [floor, entries] = await (this.redis as unknown as HistoryCommands).spearGroupPage(k.log, k.floor, since, Math.min(limit, 1_000_000));
    if (floor !== null && compareIds(since, floor) < 0) throw new ProtocolError('history_gone', `history of ${group} starts after ${floor}`);
    return entries.map((e) => JSON.parse(e) as GroupEvent).filter((m) => compareIds(m.id, since) > 0);
  }

  /** The newest `count` retained messages of `group` (at most 1000), oldest first: what a watcher sees before live ones. */
  async latest(group: string, count: number): Promise<GroupEvent[]> {
    const n = Math.min(Math.max(1, Math.floor(count)), 1000);
    const entries = await this.redis.lrange(this.keys.group(group).log, -n, -1);
    return entries.map((e) => JSON.parse(e) as GroupEvent);
  }
}

interface HistoryCommands {
  spearGroupPage(log: string, floor: string, since: string, limit: number): Promise<[string | null, string[]]>;
  spearGroupAppend(log: string, floor: string, id: string, json: string, cap: number, ttl: number): Promise<number>;
}
