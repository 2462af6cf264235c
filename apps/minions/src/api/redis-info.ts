import type Redis from 'ioredis';

/** The INFO fields operators look at first, parsed from Redis's text answer. */
export async function readRedisInfo(redis: Redis): Promise<Record<string, string>> {
  const text = await redis.info();
  const wanted = new Set(['redis_version', 'uptime_in_seconds', 'connected_clients', 'used_memory_human', 'total_commands_processed', 'instantaneous_ops_per_sec', 'pubsub_channels']);
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const [key, value] = line.split(':');
    if (key && value !== undefined && (wanted.has(key) || key.startsWith('db'))) out[key] = value;
  }
  return out;
}
