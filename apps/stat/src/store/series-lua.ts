/**
 * Records one batch into rolling series, once per (source, seq).
 *
 * Each series is a Redis hash used as a ring: field = bucket mod slots, value
 * = "<bucket>|v1,v2,...". A write to a slot still holding an older bucket
 * overwrites it, so memory is bounded by the slot count and nothing needs
 * trimming; readers ignore slots whose bucket is not the one they ask for.
 *
 * KEYS[1] dedupe hash (source -> last seq), KEYS[2..] series keys, grouped
 *   per series: one key per resolution.
 * ARGV[1] source, ARGV[2] seq, ARGV[3] dedupe TTL (s), ARGV[4] kinds ("s" adds,
 *   "m" keeps the max, one letter per value), ARGV[5] resolutions R, then R
 *   triples (bucket, slots, ttl seconds), then one group of #kinds values per series.
 * Returns 1 when recorded, 0 for a (source, seq) already seen.
 */
export const RECORD_SERIES = `
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]))
local seq = tonumber(ARGV[2])
if last and seq <= last then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], seq)
redis.call('EXPIRE', KEYS[1], ARGV[3])
local kinds = ARGV[4]
local width = #kinds
local nres = tonumber(ARGV[5])
local base = 5 + nres * 3
local nseries = (#KEYS - 1) / nres
for s = 0, nseries - 1 do
  local values = {}
  for i = 1, width do values[i] = tonumber(ARGV[base + s * width + i]) end
  for r = 0, nres - 1 do
    local key = KEYS[2 + s * nres + r]
    local bucket = ARGV[6 + r * 3]
    local slot = tostring(tonumber(bucket) % tonumber(ARGV[7 + r * 3]))
    local out = {unpack(values)}
    local current = redis.call('HGET', key, slot)
    if current then
      local b, rest = string.match(current, '^(%d+)|(.*)$')
      if b == bucket then
        out = {}
        local i = 1
        for v in string.gmatch(rest, '[^,]+') do
          if string.sub(kinds, i, i) == 'm' then out[i] = math.max(tonumber(v), values[i]) else out[i] = tonumber(v) + values[i] end
          i = i + 1
        end
      end
    end
    for i = 1, width do out[i] = string.format('%.17g', out[i]) end
    redis.call('HSET', key, slot, bucket .. '|' .. table.concat(out, ','))
    redis.call('EXPIRE', key, ARGV[8 + r * 3])
  end
end
return 1`;
