import type { Cluster, Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';

/** How long one scrape waits for a Redis server's INFO: a slow or absent server must not stall /metrics. */
export const REDIS_INFO_TIMEOUT_MS = 1000;

/** The INFO fields the gauges export, per server. */
export interface RedisInfoFacts {
  usedMemoryBytes: number;
  /** 0: no limit set (Redis grows until the machine runs out). */
  maxMemoryBytes: number;
  /** Keys per database (`db0` ...), from INFO keyspace. */
  keys: Record<string, number>;
}

/** Parses the `memory` and `keyspace` sections of an INFO answer; a field that is missing or not a number is an error naming it. */
export function parseRedisInfo(text: string): RedisInfoFacts {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  const bytes = (name: string) => {
    const value = Number(fields.get(name));
    if (!fields.has(name) || !Number.isFinite(value) || value < 0) throw new Error(`INFO has no numeric ${name}`);
    return value;
  };
  const keys: Record<string, number> = {};
  for (const [name, value] of fields) {
    const count = /^db\d+$/.test(name) ? /(?:^|,)keys=(\d+)/.exec(value) : null;
    if (count) keys[name] = Number(count[1]);
  }
  return { usedMemoryBytes: bytes('used_memory'), maxMemoryBytes: bytes('maxmemory'), keys };
}

/** One Redis server the gauges read: a single client's server, or each master of a cluster. */
function serversOf(redis: Redis | Cluster): Array<{ name: string; client: Redis }> {
  const nodes = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
  return nodes.map((client) => ({ name: `${client.options.host ?? '127.0.0.1'}:${client.options.port ?? 6379}`, client }));
}

async function readFacts(client: Redis): Promise<RedisInfoFacts> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no INFO answer within ${REDIS_INFO_TIMEOUT_MS} ms`)), REDIS_INFO_TIMEOUT_MS)));
  try {
    const [memory, keyspace] = await Promise.race([Promise.all([client.info('memory'), client.info('keyspace')]), timeout]);
    return parseRedisInfo(`${memory}\n${keyspace}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The facts of every server that answered; each one that did not is told to `onError` and left out. */
async function readServers(redis: Redis | Cluster, onError: (server: string, error: Error) => void): Promise<Array<RedisInfoFacts & { server: string }>> {
  const servers = serversOf(redis);
  const facts = await Promise.all(servers.map(({ client }) => readFacts(client).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))));
  const answered: Array<RedisInfoFacts & { server: string }> = [];
  facts.forEach((fact, i) => {
    if (fact instanceof Error) onError(servers[i]!.name, fact);
    else answered.push({ ...fact, server: servers[i]!.name });
  });
  return answered;
}

/**
 * Registers the Redis gauges a node exports, read from INFO at each scrape:
 * `spear_redis_memory_used_bytes{redis}`, `spear_redis_memory_max_bytes{redis}`
 * (0: no maxmemory) and `spear_redis_keys{redis,db}` (log and inbox growth
 * shows here first). `redis` names the server (host:port; every master of a
 * cluster). Guarantee: a scrape never fails or waits more than
 * REDIS_INFO_TIMEOUT_MS because of Redis; a server that does not answer
 * (down, or an ACL user without INFO) has no samples in that scrape, and
 * `onError` hears why, once per scrape (the caller rate-limits its logging).
 */
export function registerRedisInfoGauges(registry: Registry, redis: Redis | Cluster, onError: (server: string, error: Error) => void): void {
  // The registry collects every metric of a scrape in the same turn: the three gauges share that scrape's one INFO round.
  let inFlight: ReturnType<typeof readServers> | undefined;
  const read = () => (inFlight ??= readServers(redis, onError).finally(() => (inFlight = undefined)));
  const gauge = (name: string, help: string, samples: (f: RedisInfoFacts & { server: string }) => Array<[Record<string, string>, number]>, labelNames: string[]) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const servers = await read();
        this.reset();
        for (const facts of servers) for (const [labels, value] of samples(facts)) this.set(labels, value);
      },
    });
  gauge('spear_redis_memory_used_bytes', 'Redis used_memory (INFO memory), per server', (f) => [[{ redis: f.server }, f.usedMemoryBytes]], ['redis']);
  gauge('spear_redis_memory_max_bytes', 'Redis maxmemory (INFO memory; 0: no limit), per server', (f) => [[{ redis: f.server }, f.maxMemoryBytes]], ['redis']);
  gauge('spear_redis_keys', 'Keys per Redis database (INFO keyspace), per server', (f) => Object.entries(f.keys).map(([db, n]) => [{ redis: f.server, db }, n]), ['redis', 'db']);
}
