import { LOG_READ, LOG_WRITE, V1_MIGRATION } from './user-log-lua';

/**
 * The Lua of an append to a user's log: the fast script for the common
 * case, and the full one for the rest. Keys, the entry format and the state
 * fields are described in user-log-lua.ts.
 */

/** The routes read first, and an answer that carries them: {status, seq, node...}. */
const ROUTED_ANSWER = `
local routes = redis.call('SMEMBERS', KEYS[3])
local function answer(status, seq)
  local out = {status, seq}
  for _, n in ipairs(routes) do out[#out + 1] = n end
  return out
end
`;

/**
 * The common append, on the first 3 keys, or 5 (then the recipient must be
 * known: a token or connection mark, or a membership). ARGV: id, ts, the
 * entry's head (user-log-lua.ts), cap, retention (ms: older entries are dropped),
 * key ttl (s), maxBytes (0: no bytes quota), offlineAllowed ('0': refuse
 * when the recipient has no route), the node channels' prefix ('': do not
 * forward) and the writer's node id. Returns {status, seq, node...}: 'ok',
 * 'okf' (stored, and the forward published: the message as the bus's `msg`
 * envelope, SPUBLISHed to each node of the route but the writer's, in the
 * same atomic step), or 'dup' (the id was stored before: its seq, not
 * forwarded again); or {'slow'}, with nothing
 * written, when the full script must decide: a refusal, a log without state
 * (new, or a v1 inbox to move first), the bytes quota's branch. It exists
 * because the append runs once per message and Redis's cost of a script
 * grows with its keys, arguments, calls and Lua: here four calls and 13
 * arguments (five and 15 where only known users receive), plus one
 * SPUBLISH per other node when it forwards, straight-line code
 * (LOG_WRITE's helpers cost ~6 µs a call more).
 */
export const APPEND_FAST_LUA = `
local routes = redis.call('SMEMBERS', KEYS[3])
if #routes == 0 and ARGV[8] == '0' then return {'slow'} end
if #KEYS == 5 and redis.call('EXISTS', KEYS[4], KEYS[5]) == 0 then return {'slow'} end
local v = redis.call('HMGET', KEYS[2], '#l', '#h', '#b', '#o', '#x', ARGV[1])
local out
if v[6] then
  out = {'dup', tonumber(v[6])}
else
  local last, bytes, maxBytes = tonumber(v[1]) or 0, tonumber(v[3]) or 0, tonumber(ARGV[7])
  if last == 0 or (maxBytes > 0 and bytes + #ARGV[3] + 26 > maxBytes) then return {'slow'} end
  local head, oldest, refreshed, ts = tonumber(v[2]) or 1, tonumber(v[4]) or 0, tonumber(v[5]), tonumber(ARGV[2])
  local seq = last + 1
  local entry = ARGV[3] .. ',"seq":' .. seq .. '}'
  if redis.call('RPUSH', KEYS[1], entry) == 1 then refreshed = nil end
  if head > last then oldest = ts end
  last, bytes = seq, bytes + #entry
  -- Retention, as LOG_WRITE's retain: at most cap entries, then at most 100 drops of entries older than cutoff (oldest 0: its ts unknown).
  local cap, cutoff = tonumber(ARGV[4]), ts - tonumber(ARGV[5])
  for _ = 1, 100 + math.max(0, last - head + 1 - cap) do
    if head > last or (last - head < cap and oldest ~= 0 and oldest >= cutoff) then break end
    if last - head < cap then
      if oldest == 0 then
        local first = redis.call('LINDEX', KEYS[1], 0)
        if not first then head, bytes = last + 1, 0; break end
        oldest = tonumber(string.match(first, '^%d+ (%d+) '))
      end
      if oldest >= cutoff then break end
    end
    local dropped = redis.call('LPOP', KEYS[1])
    if not dropped then head, bytes, oldest = last + 1, 0, 0; break end
    redis.call('HDEL', KEYS[2], string.match(dropped, '^(%d+) '))
    head, bytes, oldest = head + 1, bytes - #dropped, 0
  end
  -- The TTL, as LOG_WRITE's saveLog sets it: when a tenth of it (at most an hour) has passed since.
  local ttl = tonumber(ARGV[6])
  local every = math.max(1, math.min(3600, math.floor(ttl / 10))) * 1000
  if refreshed and ts >= refreshed and ts - refreshed < every then
    redis.call('HSET', KEYS[2], '#l', last, '#h', head, '#b', bytes, '#o', oldest, ARGV[1], seq)
  else
    redis.call('HSET', KEYS[2], '#l', last, '#h', head, '#b', bytes, '#o', oldest, ARGV[1], seq, '#x', ts)
    redis.call('EXPIRE', KEYS[1], ttl + every / 1000)
    redis.call('EXPIRE', KEYS[2], ttl + every / 1000)
  end
  out = {'ok', seq}
  -- The forward, in the same step: the entry's JSON (from its first '{') with its seq, as a msg envelope on each other node's channel.
  if ARGV[9] ~= '' then
    local wire
    for _, n in ipairs(routes) do
      if n ~= ARGV[10] then
        wire = wire or ('{"t":"msg","p":' .. string.sub(ARGV[3], (string.find(ARGV[3], '{', 1, true))) .. ',"seq":' .. seq .. '}}')
        redis.call('SPUBLISH', ARGV[9] .. n, wire)
      end
    end
    out[1] = 'okf'
  end
end
for _, n in ipairs(routes) do out[#out + 1] = n end
return out`;

/**
 * Every append the fast one leaves: all 9 keys; its ARGV (the forwarding
 * pair unused: it never forwards), then knownOnly ('1': the recipient must
 * be known). Answers as it does, or a refusal with
 * nothing written: 'unknown', 'offline', 'full'.
 */
export const APPEND_LUA = `${LOG_READ}${LOG_WRITE}${V1_MIGRATION}${ROUTED_ANSWER}
local ts, keyTtl = tonumber(ARGV[2]), tonumber(ARGV[6])
-- A refusal, unless the id is already stored (a retry): then its seq, as for any repeat.
local function refuse(reason)
  local seen = redis.call('HGET', KEYS[2], ARGV[1])
  if seen then return answer('dup', tonumber(seen)) end
  return {reason}
end
if ARGV[11] == '1' and redis.call('EXISTS', KEYS[4], KEYS[5]) == 0 then return refuse('unknown') end
if #routes == 0 and ARGV[8] == '0' then return refuse('offline') end
local seen = loadLog(ARGV[1])
if not seen and L.last == 0 then seen = migrateV1()[ARGV[1]] end
-- A repeated id (a retry): its first seq, nothing written but what a migration moved.
if seen then
  if #L.ids > 0 then saveLog(keyTtl, ts, true) end
  return answer('dup', seen)
end
local maxBytes = tonumber(ARGV[7])
local size = #ARGV[3] + 26
if maxBytes > 0 and L.bytes + size > maxBytes then
  -- Over the quota: make room from messages every device has acked (history only), never others.
  retain(tonumber(ARGV[4]), ts - tonumber(ARGV[5]))
  local all = redis.call('HGETALL', KEYS[6])
  local floor = nil
  for i = 1, #all, 2 do
    if not string.find(all[i], '#', 1, true) then
      local c = tonumber(all[i + 1])
      if floor == nil or c < floor then floor = c end
    end
  end
  while L.bytes + size > maxBytes and floor and L.head <= floor and L.head <= L.last do dropOldest() end
  if L.bytes + size > maxBytes then
    saveLog(keyTtl, ts, false)
    return {'full'}
  end
end
local seq = append(ARGV[1], ts, ARGV[3])
retain(tonumber(ARGV[4]), ts - tonumber(ARGV[5]))
saveLog(keyTtl, ts, false)
return answer('ok', seq)`;
