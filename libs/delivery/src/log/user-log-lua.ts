/**
 * The Lua of a user's log (see UserLog for the guarantees). Every script
 * takes the same first keys, all with the user's hash tag (one Cluster slot):
 *   1 entries (list)  2 index (hash)  3 devices (hash)  4 route (set)
 *   5-7 v1 inbox (hash, order, seq)  8 known  9 the uid's memberships
 *
 * An entry is `<id> <ts> <from> <to> <json>`: identifiers and decimal numbers
 * hold no space and no `{`, so scripts read the header with one pattern and
 * never decode JSON, and a reader finds the JSON at the first `{`.
 * The list holds seqs head..last with no holes (trimming only pops the oldest).
 *
 * The index maps id → seq, and (`#` occurs in no id) keeps the log's state:
 * `#l` last seq given, `#h` head (first retained seq), `#b` bytes retained,
 * `#o` ts of the oldest entry (0: unknown or empty). One HMGET reads it all,
 * so the common append is a handful of commands (the Redis CPU per message
 * is mostly per command).
 *
 * Device state, in the devices hash (`#` occurs in no device name):
 *   <device> → cursor (every seq ≤ it is acked), <device>#a → seqs acked
 *   above the cursor ("7,9"), <device>#t → last visit, epoch ms.
 */
const LOG_STATE = `
local L = {}
local function loadLog()
  local v = redis.call('HMGET', KEYS[2], '#l', '#h', '#b', '#o')
  L.last = tonumber(v[1]) or 0
  L.head = tonumber(v[2]) or 1
  L.bytes = tonumber(v[3]) or 0
  L.oldest = tonumber(v[4]) or 0
  if L.oldest == 0 then L.oldest = nil end
end
local function saveLog(ttl)
  redis.call('HSET', KEYS[2], '#l', L.last, '#h', L.head, '#b', L.bytes, '#o', L.oldest or 0)
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[2], ttl)
end
local function append(id, ts, from, to, open)
  local seq = L.last + 1
  if redis.call('HSETNX', KEYS[2], id, seq) == 0 then return nil end
  local entry = id .. ' ' .. ts .. ' ' .. from .. ' ' .. to .. ' ' .. open .. ',"seq":' .. seq .. '}'
  redis.call('RPUSH', KEYS[1], entry)
  if L.head > L.last then L.oldest = tonumber(ts) end
  L.last = seq
  L.bytes = L.bytes + #entry
  return seq
end
local function dropOldest()
  local entry = redis.call('LPOP', KEYS[1])
  L.oldest = nil
  if not entry then L.head = L.last + 1; L.bytes = 0; return end
  redis.call('HDEL', KEYS[2], string.match(entry, '^(%d+) '))
  L.head = L.head + 1
  L.bytes = L.bytes - #entry
end
-- Retention: at most cap entries, none older than cutoff (bounded work per call: the rest go next time).
local function retain(cap, cutoff)
  while L.last - L.head + 1 > cap do dropOldest() end
  for _ = 1, 100 do
    if L.head > L.last then break end
    if not L.oldest then
      local first = redis.call('LINDEX', KEYS[1], 0)
      if not first then L.head = L.last + 1; L.bytes = 0; break end
      L.oldest = tonumber(string.match(first, '^%d+ (%d+) '))
    end
    if L.oldest >= cutoff then break end
    dropOldest()
  end
end
-- v1's inbox (unacked messages, write order) becomes the start of the log, once.
local function migrateV1()
  if redis.call('EXISTS', KEYS[6]) == 0 then return end
  for _, id in ipairs(redis.call('ZRANGE', KEYS[6], 0, -1)) do
    local json = redis.call('HGET', KEYS[5], id)
    if json then
      local m = cjson.decode(json)
      append(id, string.format('%d', m.ts), m.from, m.to, string.sub(json, 1, -2))
    end
  end
  redis.call('DEL', KEYS[5], KEYS[6], KEYS[7])
end
`;

/** Each script carries only the functions it calls: Lua makes a closure per function on every call. */
const DEVICE_STATE = `
local function loadDevice(device)
  local v = redis.call('HMGET', KEYS[3], device, device .. '#a')
  local acked = {}
  if v[2] then for s in string.gmatch(v[2], '%d+') do acked[tonumber(s)] = true end end
  return tonumber(v[1]) or 0, acked, v[2] ~= false
end
-- Moves the cursor over acks that became contiguous; keeps at most maxAcked above it (the lowest
-- dropped: those messages are redelivered, never lost).
local function saveDevice(device, cursor, acked, hadAcked, now, maxAcked)
  while acked[cursor + 1] do acked[cursor + 1] = nil; cursor = cursor + 1 end
  local rest = {}
  for s in pairs(acked) do if s > cursor then rest[#rest + 1] = s end end
  table.sort(rest)
  while #rest > maxAcked do table.remove(rest, 1) end
  if #rest > 0 then redis.call('HSET', KEYS[3], device, cursor, device .. '#t', now, device .. '#a', table.concat(rest, ','))
  else
    redis.call('HSET', KEYS[3], device, cursor, device .. '#t', now)
    if hadAcked then redis.call('HDEL', KEYS[3], device .. '#a') end
  end
end
`;

/**
 * Appends one message. ARGV: id, ts, from, to, json without its closing
 * brace, cap, cutoff (ms), key ttl (s), maxBytes (0: no bytes quota),
 * knownOnly ('1': the recipient must be known: a token or connection mark, or a membership), offlineAllowed ('0': refuse
 * when the recipient has no route). Returns {status, seq, node...}: status
 * 'ok', or 'dup' (the id was stored before: its seq), or a refusal with
 * nothing written: 'unknown', 'offline', 'full'.
 */
export const APPEND_LUA = `${LOG_STATE}
local routes = redis.call('SMEMBERS', KEYS[4])
local function answer(status, seq)
  local out = {status, seq}
  for _, n in ipairs(routes) do out[#out + 1] = n end
  return out
end
-- A refusal, unless the id is already stored (a retry): then its seq, as for any repeat.
local function refuse(reason)
  local seen = redis.call('HGET', KEYS[2], ARGV[1])
  if seen then return answer('dup', tonumber(seen)) end
  return {reason}
end
if ARGV[10] == '1' and redis.call('EXISTS', KEYS[8]) == 0 and redis.call('EXISTS', KEYS[9]) == 0 then return refuse('unknown') end
if #routes == 0 and ARGV[11] == '0' then return refuse('offline') end
loadLog()
if L.last == 0 then migrateV1() end
local maxBytes = tonumber(ARGV[9])
local size = #ARGV[1] + #ARGV[2] + #ARGV[3] + #ARGV[4] + #ARGV[5] + 30
if maxBytes > 0 and L.bytes + size > maxBytes then
  -- Over the quota: make room from messages every device has acked (history only), never others.
  retain(tonumber(ARGV[6]), tonumber(ARGV[7]))
  local all = redis.call('HGETALL', KEYS[3])
  local floor = nil
  for i = 1, #all, 2 do
    if not string.find(all[i], '#', 1, true) then
      local c = tonumber(all[i + 1])
      if floor == nil or c < floor then floor = c end
    end
  end
  while L.bytes + size > maxBytes and floor and L.head <= floor and L.head <= L.last do dropOldest() end
  if L.bytes + size > maxBytes then
    saveLog(tonumber(ARGV[8]))
    return refuse('full')
  end
end
local seq = append(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
if not seq then
  saveLog(tonumber(ARGV[8])) -- the quota branch may have made room meanwhile
  return answer('dup', tonumber(redis.call('HGET', KEYS[2], ARGV[1])))
end
retain(tonumber(ARGV[6]), tonumber(ARGV[7]))
saveLog(tonumber(ARGV[8]))
return answer('ok', seq)`;

/**
 * A connection of a device arrives (or, read-only, a replay after a bus
 * gap). ARGV: register ('1': add the node to the route; the caller adds
 * the uid to the node's uid set, another slot on a cluster), nodeId, route ttl, uid, device, now, cap, cutoff, key ttl,
 * forgetBefore (ms), maxDevices, maxAcked, readOnly ('1': no write at all).
 * Returns {gap, last, n, group 1..n, entry...}: the log's last seq, the
 * user's groups (sorted), then what the device has not acked, oldest first.
 */
export const ARRIVE_LUA = `${LOG_STATE}${DEVICE_STATE}
local readOnly = ARGV[13] == '1'
if ARGV[1] == '1' then
  redis.call('SADD', KEYS[4], ARGV[2])
  redis.call('EXPIRE', KEYS[4], ARGV[3])
end
local device, now, keyTtl = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[9])
loadLog()
if not readOnly then
  redis.call('SET', KEYS[8], '1', 'EX', keyTtl)
  migrateV1()
  retain(tonumber(ARGV[7]), tonumber(ARGV[8]))
  saveLog(keyTtl)
  -- Forget devices away too long, then the least recently seen past the maximum.
  local seenAt, others = {}, {}
  local all = redis.call('HGETALL', KEYS[3])
  for i = 1, #all, 2 do
    local name = string.match(all[i], '^(.*)#t$')
    if name then seenAt[name] = tonumber(all[i + 1]) end
  end
  local function forget(d) redis.call('HDEL', KEYS[3], d, d .. '#a', d .. '#t') end
  for d, t in pairs(seenAt) do
    if d ~= device then
      if t < tonumber(ARGV[10]) then forget(d) else others[#others + 1] = {d, t} end
    end
  end
  table.sort(others, function(a, b) return a[2] < b[2] end)
  for i = 1, #others + 1 - tonumber(ARGV[11]) do forget(others[i][1]) end
end
local cursor, acked, hadAcked = loadDevice(device)
local gap = 0
if cursor < L.head - 1 then
  for s = cursor + 1, L.head - 1 do
    if not acked[s] then gap = 1; break end
  end
  if not readOnly then cursor = L.head - 1 end
end
if not readOnly then
  saveDevice(device, cursor, acked, hadAcked, now, tonumber(ARGV[12]))
  redis.call('EXPIRE', KEYS[3], keyTtl)
end
local out = {gap, L.last}
local groups = redis.call('ZRANGEBYLEX', KEYS[9], '-', '+')
out[3] = #groups
for _, g in ipairs(groups) do out[#out + 1] = g end
local start = math.max(cursor + 1, L.head)
if start <= L.last then
  for i, entry in ipairs(redis.call('LRANGE', KEYS[1], start - L.head, -1)) do
    if not acked[start + i - 1] then out[#out + 1] = entry end
  end
end
return out`;

/**
 * Acks by id for one device (`upTo` needs no script: UserLog.ack). ARGV:
 * device, now, maxAcked, key ttl, ids... Ids unknown to the log (never
 * stored, or trimmed) are ignored.
 */
export const ACK_LUA = `${DEVICE_STATE}
local device = ARGV[1]
local cursor, acked, hadAcked = loadDevice(device)
for _, s in ipairs(redis.call('HMGET', KEYS[2], unpack(ARGV, 5))) do
  if s then acked[tonumber(s)] = true end
end
saveDevice(device, cursor, acked, hadAcked, tonumber(ARGV[2]), tonumber(ARGV[3]))
redis.call('EXPIRE', KEYS[3], ARGV[4])
return 0`;

/**
 * The log newest first. ARGV: uid, with ('' : everyone), before (0: none),
 * limit, cutoff (ms: older entries are past retention), maxScan (entries
 * looked at, at most). Returns entries.
 */
export const HISTORY_LUA = `${LOG_STATE}
loadLog()
local uid, with, before, limit, cutoff = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local top = L.last
if before > 0 and before - 1 < top then top = before - 1 end
local stop = math.max(L.head, top - tonumber(ARGV[6]) + 1)
local out = {}
local hi = top
while hi >= stop and #out < limit do
  local lo = math.max(stop, hi - 99)
  local chunk = redis.call('LRANGE', KEYS[1], lo - L.head, hi - L.head)
  for i = #chunk, 1, -1 do
    local entry = chunk[i]
    local ts, from, to = string.match(entry, '^%d+ (%d+) (%S+) (%S+) ')
    if tonumber(ts) < cutoff then return out end
    if with == '' or from == with or (from == uid and to == with) then
      out[#out + 1] = entry
      if #out == limit then return out end
    end
  end
  hi = lo - 1
end
return out`;
