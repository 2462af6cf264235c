import { z } from 'zod';
import { WINDOW_BUCKETS_MS } from '@spear/rpc';

/**
 * The RPC contract of the stat service (service name `stat`). Neither method
 * is retry-safe for the RPC layer (a retried batch would count twice); the
 * senders retry themselves with the same `seq`, which stat drops when seen.
 */
export const STAT_SERVICE = 'stat';
export const STAT_METHODS = { report: 'report', rpcStats: 'rpcStats' } as const;

/**
 * The highest `seq` of one boot. stat marks each stored report in a bitmap of
 * seq bits (512 KiB at this bound, instead of the 512 MiB a seq of 2^32 would
 * allocate); a sender continues as a new boot past it (97 days at a report
 * every 2 s).
 */
export const MAX_STAT_SEQ = 2 ** 22 - 1;

/** Who sends: one process life (`boot` changes on restart, so `seq` may start over). */
export const statSource = z.strictObject({
  app: z.enum(['ticket', 'spear', 'idgen', 'stat', 'minions']),
  /** host:port of the process's HTTP listener. */
  instance: z.string().min(1).max(100),
  boot: z.string().regex(/^[A-Za-z0-9_-]{4,40}$/),
});
export type StatSource = z.infer<typeof statSource>;

/** How each node metric adds up across the cluster. */
export const NODE_METRICS = {
  connections: 'sum',
  users: 'sum',
  groups: 'sum',
  msgsInPerSec: 'sum',
  msgsOutPerSec: 'sum',
  inboxWritesPerSec: 'sum',
  busPublishedPerSec: 'sum',
  busConsumedPerSec: 'sum',
  /** Now minus the message's own ts, for envelopes consumed from the bus (p99 over the interval). */
  busLagP99Ms: 'max',
  eventLoopP99Ms: 'max',
  rssBytes: 'sum',
  heapUsedBytes: 'sum',
} as const satisfies Record<string, 'sum' | 'max'>;
export type NodeMetric = keyof typeof NODE_METRICS;
export const NODE_METRIC_NAMES = Object.keys(NODE_METRICS) as NodeMetric[];

const metricValue = z.number().finite().min(0).max(1e15);

/** `report`: one spear node's state every few seconds (rates are per second over `intervalMs`). */
export const nodeReport = z.strictObject({
  source: statSource,
  seq: z.number().int().min(0).max(MAX_STAT_SEQ),
  node: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  /** epoch ms when measured */
  at: z.number().int().min(0),
  intervalMs: z.number().int().min(100).max(3_600_000),
  metrics: z.strictObject(Object.fromEntries(NODE_METRIC_NAMES.map((m) => [m, metricValue])) as Record<NodeMetric, typeof metricValue>),
});
export type NodeReport = z.infer<typeof nodeReport>;

const name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);

/** One service method's calls within a window, as libs/rpc's CallWindow accumulates them. */
export const callStats = z.strictObject({
  side: z.enum(['client', 'server']),
  service: name,
  method: name,
  provider: z.string().max(100),
  calls: z.number().int().min(0),
  errors: z.number().int().min(0),
  totalMs: metricValue,
  maxMs: metricValue,
  buckets: z.array(z.number().int().min(0)).length(WINDOW_BUCKETS_MS.length + 1),
});

/** `rpcStats`: a process's RPC call statistics since its previous batch. */
export const rpcStatsBatch = z.strictObject({
  source: statSource,
  seq: z.number().int().min(0).max(MAX_STAT_SEQ),
  at: z.number().int().min(0),
  intervalMs: z.number().int().min(100).max(3_600_000),
  entries: z.array(callStats).max(1000),
});
export type RpcStatsBatch = z.infer<typeof rpcStatsBatch>;

/** What both methods answer: whether this batch was new (false: a resend stat had already counted). */
export interface StatAck {
  stored: boolean;
}
