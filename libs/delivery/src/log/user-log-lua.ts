/**
 * The Lua of a user's log (see UserLog for the guarantees; the appends are
 * in append-lua.ts). Every script takes the same keys, all with the user's
 * hash tag (one Cluster slot), or the first of them:
 *   1 entries (list)  2 index (hash)  3 route (set)  4 known  5 the uid's
 *   memberships  6 devices (hash)  7-9 v1 inbox (hash, order, seq)
 *
 * An entry is `<id> <ts> <from> <to> <json>`: identifiers and decimal numbers
 * hold no space and no `{`, so scripts read the header with one pattern and
 * never decode JSON, and a reader finds the JSON at the first `{`. A writer
 * sends the entry's head (all but `,"seq":N}`, which only the script knows).
 * The list holds seqs head..last with no holes (trimming only pops the oldest).
 *
 * The index maps id → seq, and (`#` occurs in no id) keeps the log's state:
 * `#l` last seq given, `#h` head (first retained seq), `#b` bytes retained,
 * `#o` ts of the oldest entry (0: unknown or empty), `#x` when the keys' TTL
 * was last set (ms, the writer's clock). One HMGET reads it all (and whether
 * the id to append is there), one HSET writes it back with the new ids.
 *
 * TTL: a write sets the keys' TTL only when `#x` is older than a tenth of it
 * (at most an hour), to TTL + that interval: the keys still live at least TTL
 * after their last write, without two EXPIREs per message. A writer whose
 * clock disagrees (`#x` in its future) sets it every time.
 *
 * Device state, in the devices hash (`#` occurs in no device name):
 *   <device> → cursor (every seq ≤ it is acked), <device>#a → seqs acked
 *   above the cursor ("7,9"), <device>#t → last visit, epoch ms.
 *
 * Each script carries only the functions it calls: Lua makes a closure per
 * function on every call, and the append runs once per message.
 */

/** The log's state: L, and loadLog, which reads it. */
export const LOG_READ = `
local L = {ids = {}}
-- Reads the state; with an id, also returns that id's seq (nil: not in the log).
local function loadLog(id)
  local v = redis.call('HMGET', KEYS[2], '#l', '#h', '#b', '#o', '#x', id or '#l')
  L.last = tonumber(v[1]) or 0
  L.head = tonumber(v[2]) or 1
  L.bytes = tonumber(v[3]) or 0
  L.oldest = tonumber(v[4]) or 0
  if L.oldest == 0 then L.oldest = nil end
  L.refreshed = tonumber(v[5])
  if id then return tonumber(v[6]) end
end
`;

/** Appending, retention and saving the state (after LOG_READ). */
export const LOG_WRITE = `
-- Writes the state and the ids appended since loadLog; sets the keys' TTL when due (see above) or forced.
local function saveLog(ttl, now, force)
  local every = math.max(1, math.min(3600, math.floor(ttl / 10))) * 1000
  local fields = {'#l', L.last, '#h', L.head, '#b', L.bytes, '#o', L.oldest or 0}
  -- The ids still retained (retention may have dropped some of a migration), in chunks: unpack has a stack limit.
  for i = 1, #L.ids, 2 do
    if L.ids[i + 1] >= L.head then fields[#fields + 1] = L.ids[i]; fields[#fields + 1] = L.ids[i + 1] end
    if #fields >= 1000 then redis.call('HSET', KEYS[2], unpack(fields)); fields = {'#l', L.last} end
  end
  local due = force or not L.refreshed or now < L.refreshed or now - L.refreshed >= every
  if due then fields[#fields + 1] = '#x'; fields[#fields + 1] = now end
  redis.call('HSET', KEYS[2], unpack(fields))
  if due then
    local seconds = ttl + every / 1000
    redis.call('EXPIRE', KEYS[1], seconds)
    redis.call('EXPIRE', KEYS[2], seconds)
  end
end
-- Appends an entry (its head: id ts from to json-without-brace) whose id is not in the log (the caller checked); returns its seq.
local function append(id, ts, head)
  local seq = L.last + 1
  local entry = head .. ',"seq":' .. seq .. '}'
  -- A new list (retention had emptied it, or none yet) has no TTL: set it with this write.
  if redis.call('RPUSH', KEYS[1], entry) == 1 then L.refreshed = nil end
  L.ids[#L.ids + 1] = id
  L.ids[#L.ids + 1] = seq
  if L.head > L.last then L.oldest = ts end
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
`;

/**
 * v1's inbox (unacked messages, write order) is moved to the end of the log,
 * once (after LOG_WRITE): at a new log's first append, or at an arrival,
 * which may find a log that new nodes already wrote while old ones still
 * wrote the inbox (a rolling upgrade); an id already in the log stays as it is.
 */
export const V1_MIGRATION = `
-- Returns id → seq of what it moved.
local function migrateV1()
  local moved = {}
  if redis.call('EXISTS', KEYS[8]) == 0 then return moved end
  for _, id in ipairs(redis.call('ZRANGE', KEYS[8], 0, -1)) do
    local json = redis.call('HGET', KEYS[7], id)
    if json and redis.call('HEXISTS', KEYS[2], id) == 0 then
      local m = cjson.decode(json)
      local ts = string.format('%d', m.ts)
      moved[id] = append(id, tonumber(ts), id .. ' ' .. ts .. ' ' .. m.from .. ' ' .. m.to .. ' ' .. string.sub(json, 1, -2))
    end
  end
  redis.call('DEL', KEYS[7], KEYS[8], KEYS[9])
  return moved
end
`;

/** A device's cursor and the seqs it acked above it. */
const DEVICE_STATE = `
local function loadDevice(device)
  local v = redis.call('HMGET', KEYS[6], device, device .. '#a')
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
  if #rest > 0 then redis.call('HSET', KEYS[6], device, cursor, device .. '#t', now, device .. '#a', table.concat(rest, ','))
  else
    redis.call('HSET', KEYS[6], device, cursor, device .. '#t', now)
    if hadAcked then redis.call('HDEL', KEYS[6], device .. '#a') end
  end
end
`;

/**
 * A connection of a device arrives (or, read-only, a replay after a bus
 * gap). ARGV: register ('1': add the node to the route; the caller adds
 * the uid to the node's uid set, another slot on a cluster), nodeId, route ttl, uid, device, now, cap, cutoff, key ttl,
 * forgetBefore (ms), maxDevices, maxAcked, readOnly ('1': no write at all).
 * Returns {gap, last, n, group 1..n, entry...}: the log's last seq, the
 * user's groups (sorted), then what the device has not acked, oldest first.
 */
export const ARRIVE_LUA = `${LOG_READ}${LOG_WRITE}${V1_MIGRATION}${DEVICE_STATE}
local readOnly = ARGV[13] == '1'
if ARGV[1] == '1' then
  redis.call('SADD', KEYS[3], ARGV[2])
  redis.call('EXPIRE', KEYS[3], ARGV[3])
end
local device, now, keyTtl = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[9])
loadLog()
if not readOnly then
  redis.call('SET', KEYS[4], '1', 'EX', keyTtl)
  migrateV1()
  retain(tonumber(ARGV[7]), tonumber(ARGV[8]))
  saveLog(keyTtl, now, true)
  -- Forget devices away too long, then the least recently seen past the maximum.
  local seenAt, others = {}, {}
  local all = redis.call('HGETALL', KEYS[6])
  for i = 1, #all, 2 do
    local name = string.match(all[i], '^(.*)#t$')
    if name then seenAt[name] = tonumber(all[i + 1]) end
  end
  local function forget(d) redis.call('HDEL', KEYS[6], d, d .. '#a', d .. '#t') end
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
  redis.call('EXPIRE', KEYS[6], keyTtl)
end
local out = {gap, L.last}
local groups = redis.call('ZRANGEBYLEX', KEYS[5], '-', '+')
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
redis.call('EXPIRE', KEYS[6], ARGV[4])
return 0`;

/**
 * The log newest first. ARGV: uid, with ('' : everyone), before (0: none),
 * limit, cutoff (ms: older entries are past retention), maxScan (entries
 * looked at, at most). Returns entries.
 */
export const HISTORY_LUA = `${LOG_READ}
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
