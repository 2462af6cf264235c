import type { Redis } from 'ioredis';
import { isClusterClient, type RedisClient } from '@spear/bus';
import { REDIS_KEY_FAMILIES, type RedisKeyFamilyName, type RedisKeys } from '@spear/catalog';

/** One shard of a Redis Cluster as the dashboard shows it: its master, how many slots it owns, its INFO fields. */
export interface RedisShard {
  /** host:port of the master. */
  node: string;
  slots: number;
  info: Record<string, string>;
}

/**
 * The masters of `redis`: the server itself, or each master of a cluster
 * (a key lives on exactly one, so counting and INFO go to each).
 */
function masters(redis: RedisClient): Redis[] {
  return isClusterClient(redis) ? redis.nodes('master') : [redis];
}

/** A cluster's shards, each with its INFO fields; undefined on a single Redis. */
export async function readRedisShards(redis: RedisClient): Promise<RedisShard[] | undefined> {
  if (!isClusterClient(redis)) return undefined;
  const slotsOf = new Map<string, number>();
  for (const owners of redis.slots) if (owners?.[0]) slotsOf.set(owners[0], (slotsOf.get(owners[0]) ?? 0) + 1);
  const shards = await Promise.all(
    masters(redis).map(async (master) => {
      const node = `${master.options.host}:${master.options.port}`;
      return { node, slots: slotsOf.get(node) ?? 0, info: await readRedisInfo(master) };
    }),
  );
  return shards.sort((a, b) => a.node.localeCompare(b.node));
}

/** The INFO fields operators look at first, parsed from Redis's text answer (on a cluster: of the node the client picks). */
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

/** How many keys each Spear family holds under the profile's prefix (a bounded SCAN MATCH <prefix>*, over every master of a cluster). */
export async function countSpearKeys(redis: RedisClient, keys: RedisKeys): Promise<SpearKeyCounts> {
  const counts = Object.fromEntries([...REDIS_KEY_FAMILIES.map((f) => f.name), 'other'].map((f) => [f, 0])) as SpearKeyCounts['counts'];
  let scanned = 0;
  let complete = true;
  for (const master of masters(redis)) {
    let cursor = '0';
    do {
      const [next, found] = await master.scan(cursor, 'MATCH', keys.scanPattern, 'COUNT', 2000);
      cursor = next;
      for (const key of found) counts[keys.familyOf(key) ?? 'other']++;
      scanned += found.length;
    } while (cursor !== '0' && scanned < SCAN_LIMIT);
    if (cursor !== '0') complete = false;
    if (scanned >= SCAN_LIMIT) break;
  }
  return { prefix: keys.prefix, counts, scanned, complete: complete && scanned < SCAN_LIMIT };
}
