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

/** Spear's key families, by prefix (see libs/delivery, ticket and stat). */
const FAMILIES = ['inbox', 'route', 'node', 'group', 'token', 'nonce', 'rl', 'stat'] as const;
/** Keys looked at per request at most: counting is a SCAN, bounded so a huge keyspace cannot stall the dashboard. */
const SCAN_LIMIT = 200_000;

/** How many keys each Spear family holds (`complete` false when the scan stopped at SCAN_LIMIT). */
export async function countSpearKeys(redis: Redis): Promise<{ counts: Record<string, number>; scanned: number; complete: boolean }> {
  const counts: Record<string, number> = Object.fromEntries([...FAMILIES, 'other'].map((f) => [f, 0]));
  let cursor = '0';
  let scanned = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'spear:*', 'COUNT', 2000);
    cursor = next;
    for (const key of keys) {
      const family = key.split(':')[1] ?? '';
      counts[(FAMILIES as readonly string[]).includes(family) ? family : 'other']!++;
    }
    scanned += keys.length;
  } while (cursor !== '0' && scanned < SCAN_LIMIT);
  return { counts, scanned, complete: cursor === '0' };
}
