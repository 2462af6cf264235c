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
  sessionTimeoutMs: z.number().int().min(1000).max(60000).default(DEFAULTS.zookeeper.sessionTimeoutMs),
  connectTimeoutMs: z.number().int().min(100).max(60000).default(DEFAULTS.zookeeper.connectTimeoutMs),
});

/** What a bad redis.keyPrefix is told. */
export const KEY_PREFIX_MESSAGE = "expected 2-64 characters of [A-Za-z0-9_.:-] ending with ':', e.g. spear:local:";

export const redisSchema = z.strictObject({
  url: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'expected redis://host:port[/db]'),
  /**
   * Prefix of every Redis key of this deployment (libs/catalog RedisKeys).
   * Absent: DEFAULTS.redis.keyPrefix(name), filled in by validateConfig
   * because it depends on the profile's name.
   */
  keyPrefix: z.string().regex(KEY_PREFIX_PATTERN, KEY_PREFIX_MESSAGE).optional(),
});

/** The redis section once validated: the key prefix is always set. */
export type RedisConfig = z.infer<typeof redisSchema> & { keyPrefix: string };

export const kafkaSchema = z.strictObject({
  brokers: z.array(hostPort).min(1),
});

/** Secrets usually come from the environment (see env.ts); dev profiles may state them. */
export const secretsSchema = z.strictObject({
  adminKey: z.string().min(8, 'admin key must be at least 8 characters'),
  ticketSecret: z.string().min(16, 'ticket secret must be at least 16 characters'),
  ticketSecretPrevious: z.string().min(16).optional(),
  /** End of the rotation window (epoch ms): after it, tickets signed with the previous secret are refused. */
  ticketSecretPreviousUntil: z.number().int().min(0).optional(),
  jwtSecret: z.string().min(16).optional(),
  minionsPassword: z.string().min(4).optional(),
});

/** Where and how long messages are kept: spear nodes and ticket's push API write to the same stores. */
export const deliverySchema = z
  .strictObject({
    /** Largest encoded `body` of a message (too_large beyond). */
    maxBodyBytes: z.number().int().min(16).default(DEFAULTS.delivery.maxBodyBytes),
    /** Per-recipient inbox of unacked 1:1 messages: oldest dropped past the cap. */
    inbox: z.strictObject({ cap: z.number().int().min(1).max(100_000), ttlSeconds: z.number().int().min(60) }).default(DEFAULTS.delivery.inbox),
    /** Per-group history for join with `since`. */
    groupHistory: z.strictObject({ cap: z.number().int().min(1).max(100_000), ttlSeconds: z.number().int().min(60) }).default(DEFAULTS.delivery.groupHistory),
  })
  .default(DEFAULTS.delivery);

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
  secrets: secretsSchema,
  shutdownGraceMs: z.number().int().min(0).max(60000).default(DEFAULTS.shutdownGraceMs),
  rpc: rpcSchema,
  delivery: deliverySchema,
  monitor: monitorSchema,
});
/** The common sections once validated. `redis` is not among them: only REDIS_APPS get it (AppConfig). */
export type CommonConfig = Omit<z.infer<typeof commonSchema>, 'redis'>;
