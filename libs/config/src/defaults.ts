import { defaultKeyPrefix } from '@spear/catalog';

/**
 * Every default value of every profile field, in one place. Schemas refer to
 * these; profiles only state what differs.
 */
export const DEFAULTS = {
  host: '127.0.0.1',
  zookeeper: { user: 'spear', sessionTimeoutMs: 6000, connectTimeoutMs: 5000 },
  /**
   * redis.keyPrefix of a profile that states none: a namespace per profile,
   * as zookeeper.root is one, so two profiles on one Redis never share a key.
   */
  redis: { keyPrefix: defaultKeyPrefix },
  bus: 'redis',
  ticket: {
    ticketTtlSeconds: 30,
    tokenTtlSeconds: 3600,
    bodyLimitBytes: 256 * 1024,
    rateLimit: { perUid: { limit: 30, windowMs: 60_000 }, perIp: { limit: 3000, windowMs: 60_000 }, perIpFailed: { limit: 100, windowMs: 60_000 } },
    trustProxy: false,
  },
  spear: {
    weight: 1,
    maxConnections: 20000,
    routeTtlSeconds: 60,
    rateLimit: { eventsPerSecond: 100, burst: 200, strikes: 50 },
    migration: { graceMs: 5000, perSecond: 500, retryAfterMs: 200, drainMs: 3000 },
    batchWindowMs: 0,
    trustProxy: false,
    handshake: { timeoutMs: 5000, maxPending: 2000, maxPendingPerIp: 500 },
  },
  shutdownGraceMs: 5000,
  delivery: {
    maxBodyBytes: 64 * 1024,
    log: { cap: 1000, ttlSeconds: 7 * 86400, maxBytes: 8 * 1024 * 1024 },
    devices: { maxPerUser: 16, forgetAfterSeconds: 30 * 86400 },
    senderCopies: false,
    durability: { mode: 'memory', replicas: 1, timeoutMs: 1000 },
    quotas: { offlinePerSender: { perSecond: 50, burst: 1000 }, storeBytesPerSecond: 64 * 1024 * 1024, knownUsersOnly: false },
    groupHistory: { cap: 1000, ttlSeconds: 86400 },
  },
  groups: { maxPerConnection: 1000, replaysAtOnce: 16, slowReaderMs: 10_000 },
  idgen: { epochMs: 1_704_067_200_000, maxBackwardsMs: 5, maxBatch: 4096, workerIds: { min: 0, max: 1023 } },
  monitor: { reportIntervalMs: 2000, shipIntervalMs: 5000, capacity: 60 },
  stat: { staleAfterMs: 10_000, fine: { stepSeconds: 1, keepSeconds: 600 }, coarse: { stepSeconds: 10, keepSeconds: 86_400 } },
  rpc: { timeoutMs: 1000, retries: 2, loadbalance: 'random', cluster: 'failover', weight: 1, maxFrameBytes: 256 * 1024, maxConnectionsPerPeer: 256 },
} as const;
