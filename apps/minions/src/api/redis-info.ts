import type { RedisClient } from '@spear/bus';
import { REDIS_KEY_FAMILIES, type RedisKeyFamilyName, type RedisKeys } from '@spear/catalog';

/** The INFO fields operators look at first, parsed from Redis's text answer. */
export async function readRedisInfo(redis: RedisClient): Promise<Record<string, string>> {
  const text = await redis.info();
  const wanted = new Set(['redis_version', 'uptime_in_seconds', 'connected_clients', 'used_memory_human', 'total_commands_processed', 'instantaneous_ops_per_sec', 'pubsub_channels']);
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const [key, value] = line.split(':');
    if (key && value !== undefined && (wanted.has(key) || key.startsWith('db'))) out[key] = value;
  }
  return out;
}

/** Keys looked at per request at most: counting is a SCAN, bounded so a huge keyspace cannot stall the dashboard. */
const SCAN_LIMIT = 200_000;

/** Key counts of this profile's namespace, by the catalog's families. */
export interface SpearKeyCounts {
  /** The profile's key prefix: every counted key starts with it. */
  prefix: string;
  /** Per family (every family present, zeros included), plus `other`: keys under the prefix of no known family. */
  counts: Record<RedisKeyFamilyName | 'other', number>;
  scanned: number;
  /** False when the scan stopped at SCAN_LIMIT (the counts are then lower bounds). */
  complete: boolean;
}

/** How many keys each Spear family holds under the profile's prefix (a bounded SCAN MATCH <prefix>*). */
export async function countSpearKeys(redis: RedisClient, keys: RedisKeys): Promise<SpearKeyCounts> {
  const counts = Object.fromEntries([...REDIS_KEY_FAMILIES.map((f) => f.name), 'other'].map((f) => [f, 0])) as SpearKeyCounts['counts'];
  let cursor = '0';
  let scanned = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', keys.scanPattern, 'COUNT', 2000);
    cursor = next;
    for (const key of found) counts[keys.familyOf(key) ?? 'other']++;
    scanned += found.length;
  } while (cursor !== '0' && scanned < SCAN_LIMIT);
  return { prefix: keys.prefix, counts, scanned, complete: cursor === '0' };
}
