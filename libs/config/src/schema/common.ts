import { z } from 'zod';
import { KEY_PREFIX_PATTERN } from '@spear/catalog';
import { DEFAULTS } from '../defaults';
import { hostPort } from './primitives';
import { rpcSchema } from './rpc';


export const zookeeperSchema = z.strictObject({
  /** Comma-separated host:port list, as ZooKeeper clients take it. */
  connect: z.string().refine((s) => s.split(',').every((p) => hostPort.safeParse(p).success), 'expected host:port[,host:port...]'),
  /** Every znode of this deployment lives under this root, e.g. /spear/local. */
  root: z.string().regex(/^(\/[A-Za-z0-9_.-]+)+$/, 'expected an absolute znode path such as /spear/local'),
  /** The digest user every service authenticates as (its password: secrets.zookeeperPassword); the ACL of every znode names it. */
  user: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 characters of [A-Za-z0-9_.-]').default(DEFAULTS.zookeeper.user),
  sessionTimeoutMs: z.number().int().min(1000).max(60000).default(DEFAULTS.zookeeper.sessionTimeoutMs),
  connectTimeoutMs: z.number().int().min(100).max(60000).default(DEFAULTS.zookeeper.connectTimeoutMs),
});

/** What a bad redis.keyPrefix is told. */
export const KEY_PREFIX_MESSAGE = "expected 2-64 characters of [A-Za-z0-9_.:-] ending with ':', e.g. spear:local:";

/** What a `redis.url` holding a user or password is told; it never repeats the URL, which holds a secret. */
export const REDIS_URL_CREDENTIALS = 'must not hold a user or password: set redis.username in the profile and the password in SPEAR_REDIS_PASSWORD';

/** True when `url` carries credentials ioredis would use: `user:pass@`, `:pass@`, `user@`, or a `password`/`username` query parameter. */
function hasRedisCredentials(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL at all: the shape check names it; never echo it (it may hold a password).
    return /@/.test(url);
  }
  return parsed.username !== '' || parsed.password !== '' || parsed.searchParams.has('password') || parsed.searchParams.has('username');
}

/**
 * TLS to an engine (Redis, Kafka; libs/bus RedisTls, KafkaTls): true checks
 * the server's certificates against the system's CAs; `caFile` (a PEM file,
 * read when a client is made) against that CA; `servername` when the
 * certificates name another host. For Redis, a `rediss://` url means TLS with
 * the system's CAs when `tls` is absent.
 */
export const engineTlsSchema = z.union(
  [
    z.boolean(),
    z.strictObject({
      caFile: z.string().min(1, 'expected the path of a PEM file').optional(),
      /** false accepts any certificate: for tests, never a real deployment. */
      rejectUnauthorized: z.boolean().default(true),
      servername: z.string().min(1).optional(),
    }),
  ],
  { error: 'expected true, false or { caFile?, rejectUnauthorized?, servername? }' },
);

/** A Redis node's url: redis:// or rediss://, never with credentials. */
const redisUrlSchema = z
  .string()
  .regex(/^rediss?:\/\/[^\s]+$/, 'expected redis://host:port[/db] or rediss://host:port[/db]')
  .refine((url) => !hasRedisCredentials(url), REDIS_URL_CREDENTIALS);

export const redisSchema = z
  .strictObject({
    url: redisUrlSchema,
    /**
     * The ACL user every client authenticates as (Redis 6+ `AUTH user password`).
     * Set: a password is required (SPEAR_REDIS_PASSWORD; checked when a client
     * is made, libs/bus redisConnectionOptions, so the engines tool works without it).
     * Absent with a password: `AUTH password`, the `default` user (requirepass).
     */
    username: z.string().regex(/^[^\s@:/]{1,128}$/, 'expected 1-128 characters without spaces, @, : or /').optional(),
    /** From SPEAR_REDIS_PASSWORD (env.ts); a profile file of a real deployment never holds it. The messages never repeat it. */
    password: z.string({ error: 'expected a string' }).min(1, 'expected a non-empty string').optional(),
    tls: engineTlsSchema.optional(),
    /**
     * Prefix of every Redis key of this deployment (libs/catalog RedisKeys).
     * Absent: DEFAULTS.redis.keyPrefix(name), filled in by validateConfig
     * because it depends on the profile's name.
     */
    keyPrefix: z.string().regex(KEY_PREFIX_PATTERN, KEY_PREFIX_MESSAGE).optional(),
    /**
     * true: `url` (and `seeds`) are nodes of a Redis Cluster, and every client
     * is a cluster client that follows the slots (libs/runtime createRedis,
     * libs/bus over sharded pub/sub). The database number must be 0 (a cluster has one).
     */
    cluster: z.boolean().default(false),
    /** More cluster nodes to start from besides `url`, so boot does not hang on one node being down; only with `cluster`. */
    seeds: z.array(redisUrlSchema).min(1).max(64).optional(),
  })
  .refine((redis) => !(redis.tls === false && /^rediss:/.test(redis.url)), { message: 'false contradicts a rediss:// url (TLS); use redis:// for plaintext', path: ['tls'] })
  .refine((redis) => redis.cluster || redis.seeds === undefined, { message: 'only with cluster: true (a single Redis has one url)', path: ['seeds'] })
  .refine((redis) => !redis.cluster || [redis.url, ...(redis.seeds ?? [])].every((url) => redisDatabaseOf(url) === 0), {
    message: 'a Redis Cluster has only database 0: drop the /<db> from the urls',
    path: ['cluster'],
  })
  .refine((redis) => !redis.cluster || (redis.seeds ?? []).every((url) => /^rediss:/.test(url) === /^rediss:/.test(redis.url)), {
    message: 'every seed must use the scheme of url (all redis:// or all rediss://)',
    path: ['seeds'],
  });

/** The database number a redis url selects (`/<db>`), 0 when it names none. */
export function redisDatabaseOf(url: string): number {
  const match = /^rediss?:\/\/[^/?#]+\/(\d+)/.exec(url);
  return match ? Number(match[1]) : 0;
}

/** The redis section once validated: the key prefix is always set. */
export type RedisConfig = z.infer<typeof redisSchema> & { keyPrefix: string };

/** What a `kafka.sasl` section without a password is told: the password never goes in a profile file of a real deployment. */
export const KAFKA_PASSWORD_MISSING = 'missing: set SPEAR_KAFKA_PASSWORD (a Kafka password comes from the environment, not the profile)';

/** SASL authentication to the brokers (libs/bus KafkaSasl); `password` is set from SPEAR_KAFKA_PASSWORD (env.ts). */
export const kafkaSaslSchema = z.strictObject({
  mechanism: z.enum(['scram-sha-256', 'scram-sha-512', 'plain'], { error: 'expected scram-sha-256, scram-sha-512 or plain' }),
  username: z.string({ error: 'expected the Kafka user name' }).min(1, 'expected the Kafka user name'),
  // The messages never repeat the value: it is a secret.
  password: z.string({ error: (issue) => (issue.input === undefined ? KAFKA_PASSWORD_MISSING : 'expected a string') }).min(1, KAFKA_PASSWORD_MISSING),
});

export const kafkaSchema = z.strictObject({
  brokers: z.array(hostPort, { error: 'expected a list of host:port' }).min(1, 'expected a list of host:port'),
  /**
   * The client library under the Kafka bus (libs/bus): `platformatic`
   * (@platformatic/kafka, the default) or `kafkajs`. Both use the same
   * topics, groups and wire format, so nodes of either kind work together.
   */
  client: z.enum(['kafkajs', 'platformatic'], { error: 'expected kafkajs or platformatic' }).optional(),
  sasl: kafkaSaslSchema.optional(),
  tls: engineTlsSchema.optional(),
});

/**
 * Secrets usually come from the environment (see env.ts); dev profiles may
 * state them. Each app needs and receives only its own (APP_SECRETS in
 * secrets.ts, enforced by validateConfig), so every field is optional here.
 */
export const secretsSchema = z.strictObject({
  /** Every RPC connection proves it (libs/rpc handshake), both ways. */
  clusterSecret: z.string().min(16, 'cluster secret must be at least 16 characters').optional(),
  /** The password of zookeeper.user: every znode of the deployment is readable and writable by that user only. */
  zookeeperPassword: z.string().min(8, 'zookeeper password must be at least 8 characters').optional(),
  adminKey: z.string().min(8, 'admin key must be at least 8 characters').optional(),
  /** Read-only access to stat's HTTP API (dashboards); the admin key also reads it. */
  statReadKey: z.string().min(8, 'stat read key must be at least 8 characters').optional(),
  /** Signs tickets; `<id>:<secret>` names its key id (tickets carry it), else the id is derived from the secret. */
  ticketSecret: z.string().min(16, 'ticket secret must be at least 16 characters').optional(),
  ticketSecretPrevious: z.string().min(16).optional(),
  /** End of the rotation window (epoch ms): after it, tickets signed with the previous secret are refused. */
  ticketSecretPreviousUntil: z.number().int().min(0).optional(),
  jwtSecret: z.string().min(16).optional(),
  /** Signs HTTP hook and route calls (X-Spear-Signature: hex HMAC-SHA256 of the body); required once one has a URL. */
  hookSecret: z.string().min(16, 'hook secret must be at least 16 characters').optional(),
});
/** The secrets an app holds: the ones it requires are always set (validateConfig). */
export type Secrets = z.infer<typeof secretsSchema>;

/** Where and how long messages are kept: spear nodes and ticket's push API write to the same stores (PROTOCOL.md "Delivery, v1.1"). */
export const deliverySchema = z
  .strictObject({
    /** Largest encoded `body` of a message (too_large beyond). */
    maxBodyBytes: z.number().int().min(16).default(DEFAULTS.delivery.maxBodyBytes),
    /** Each user's log of 1:1 messages: the last `cap` for at most `ttlSeconds`, acked or not; `maxBytes`: the bytes quota of one log. */
    log: z
      .strictObject({
        cap: z.number().int().min(1).max(100_000),
        ttlSeconds: z.number().int().min(60),
        maxBytes: z.number().int().min(4096),
      })
      .default(DEFAULTS.delivery.log),
    /** Devices remembered per user, and for how long one may stay away before it is forgotten. */
    devices: z
      .strictObject({ maxPerUser: z.number().int().min(1).max(1000), forgetAfterSeconds: z.number().int().min(60) })
      .default(DEFAULTS.delivery.devices),
    /** A send also goes to the sender's log and other connections. */
    senderCopies: z.boolean().default(DEFAULTS.delivery.senderCopies),
    /** What a send's ack promises (libs/delivery Durability): memory, fsync (AOF always), replicated (WAIT). */
    durability: z
      .strictObject({
        mode: z.enum(['memory', 'fsync', 'replicated']),
        replicas: z.number().int().min(1).max(16).default(DEFAULTS.delivery.durability.replicas),
        timeoutMs: z.number().int().min(10).max(60_000).default(DEFAULTS.delivery.durability.timeoutMs),
      })
      .default(DEFAULTS.delivery.durability),
    quotas: z
      .strictObject({
        /** Messages one sender may store per second for recipients that are offline. */
        offlinePerSender: z
          .strictObject({ perSecond: z.number().min(0.001).max(100_000), burst: z.number().int().min(1).max(1_000_000) })
          .default(DEFAULTS.delivery.quotas.offlinePerSender),
        /** Bytes of 1:1 bodies one spear node may store per second. */
        storeBytesPerSecond: z.number().int().min(1024).default(DEFAULTS.delivery.quotas.storeBytesPerSecond),
        /** A recipient must have held a token or a connection (`forbidden` otherwise). */
        knownUsersOnly: z.boolean().default(DEFAULTS.delivery.quotas.knownUsersOnly),
      })
      .default(DEFAULTS.delivery.quotas),
    /** With the undelivered hook: how long after its store a 1:1 message no device acked is reported (spear and ticket schedule the check). */
    undeliveredAfterSeconds: z.number().int().min(1).max(30 * 86_400).optional(),
    /** Per-group history for join with `since`. */
    groupHistory: z.strictObject({ cap: z.number().int().min(1).max(100_000), ttlSeconds: z.number().int().min(60) }).default(DEFAULTS.delivery.groupHistory),
  })
  .refine((d) => d.log.maxBytes >= 2 * d.maxBodyBytes, { message: 'log.maxBytes must hold at least two messages of maxBodyBytes', path: ['log', 'maxBytes'] })
  .refine((d) => d.quotas.storeBytesPerSecond >= d.maxBodyBytes, { message: 'quotas.storeBytesPerSecond must allow one message of maxBodyBytes', path: ['quotas', 'storeBytesPerSecond'] })
  .default(DEFAULTS.delivery);

/** A namespace's rules (PROTOCOL.md v1.1 "Groups are a server-side resource"). */
export const namespaceSchema = z.strictObject({
  /** `open`: anyone may join and publish; `members`: only members (others get `forbidden`); `hook`: the join and publish hooks decide. */
  policy: z.enum(['open', 'members', 'hook']),
  /** false: no client may `publish` here (`forbidden`); only the push API does. */
  clientPublish: z.boolean().default(true),
});

/** Groups: the namespace of a group is its name up to the first `:`; names without one are `open`. */
export const groupsSchema = z
  .strictObject({
    namespaces: z.record(z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'a namespace is 1-64 characters of [A-Za-z0-9_.@-]'), namespaceSchema).default({}),
    /** Groups one connection may join (`forbidden` past it; memberships are never refused). */
    maxPerConnection: z.number().int().min(1).max(100_000).default(DEFAULTS.groups.maxPerConnection),
    /** Joins with `since` replaying history at once on one spear node (the others wait). */
    replaysAtOnce: z.number().int().min(1).max(1000).default(DEFAULTS.groups.replaysAtOnce),
    /** How long a replay waits for its client to take a page; one that reads nothing for that long is closed (it frees its replay slot). */
    slowReaderMs: z.number().int().min(100).max(300_000).default(DEFAULTS.groups.slowReaderMs),
  })
  .default({ namespaces: {}, ...DEFAULTS.groups });

/** What every service sends to stat: spear node reports and every process's RPC statistics. */
export const monitorSchema = z
  .strictObject({
    /** How often a spear node reports (connections, rates, memory...). */
    reportIntervalMs: z.number().int().min(200).max(60_000).default(DEFAULTS.monitor.reportIntervalMs),
    /** How often a process ships its RPC call statistics. */
    shipIntervalMs: z.number().int().min(200).max(300_000).default(DEFAULTS.monitor.shipIntervalMs),
    /** Reports (or batches) kept per kind while stat is unreachable; older ones are dropped. */
    capacity: z.number().int().min(1).max(10_000).default(DEFAULTS.monitor.capacity),
  })
  .default(DEFAULTS.monitor);

/** The sections every service shares. */
export const commonSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  zookeeper: zookeeperSchema,
  /** Required by the apps that use Redis (REDIS_APPS); validateConfig enforces it and drops it for the others. */
  redis: redisSchema.optional(),
  kafka: kafkaSchema.optional(),
  bus: z.enum(['redis', 'kafka']).default(DEFAULTS.bus),
  secrets: secretsSchema.default({}),
  shutdownGraceMs: z.number().int().min(0).max(60000).default(DEFAULTS.shutdownGraceMs),
  rpc: rpcSchema,
  delivery: deliverySchema,
  groups: groupsSchema,
  monitor: monitorSchema,
});
/** The common sections once validated. `redis` and `secrets` are not among them: each app gets its own (AppConfig). */
export type CommonConfig = Omit<z.infer<typeof commonSchema>, 'redis' | 'secrets'>;
