import { z } from 'zod';
import { DEFAULTS } from '../defaults';
import { hooksSchema, routesSchema } from './hooks';
import { host, port } from './primitives';
import { trustProxySchema } from './trust-proxy';

const d = DEFAULTS.spear;

const nodeId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 characters of [A-Za-z0-9_.-]');

/** One gateway node of the deployment; each runs as its own process. */
export const spearNodeSchema = z.strictObject({
  id: nodeId,
  host,
  port,
  weight: z.number().int().min(1).max(100).default(DEFAULTS.spear.weight),
  /** The URL clients connect to; defaults to http://host:port. */
  publicUrl: z.string().url().optional(),
});

export const spearSchema = z
  .strictObject({
    nodes: z.array(spearNodeSchema).min(1),
    maxConnections: z.number().int().min(1).default(DEFAULTS.spear.maxConnections),
    /** Browser origins allowed to connect ('*' or a list); non-browser clients send none. */
    origins: z.union([z.literal('*'), z.array(z.string().url())]).default('*'),
    /** Route entries (uid -> nodes) live this long unless refreshed by a connected node. */
    routeTtlSeconds: z.number().int().min(5).max(3600).default(d.routeTtlSeconds),
    /** Per-connection event rate (token bucket); past `strikes` refusals the connection is closed. */
    rateLimit: z
      .strictObject({ eventsPerSecond: z.number().min(1), burst: z.number().int().min(1), strikes: z.number().int().min(1) })
      .default(d.rateLimit),
    /** Directed deliveries to one node are coalesced within this window (0: one event-loop turn). */
    batchWindowMs: z.number().int().min(0).max(1).default(d.batchWindowMs),
    /** Moving users when the ring changes (rebalance) or the node drains (shutdown). */
    migration: z
      .strictObject({
        graceMs: z.number().int().min(0).max(600_000),
        perSecond: z.number().int().min(1),
        retryAfterMs: z.number().int().min(0).max(60_000),
        drainMs: z.number().int().min(0).max(60_000),
      })
      .default(d.migration),
    /** The app's backend in the loop: hooks a node calls before it acts (PROTOCOL.md v1.1). */
    hooks: hooksSchema,
    /** Where client `rpc` calls go (PROTOCOL.md v1.1); none: every method is `not_found`. */
    routes: routesSchema,
    /** Proxies whose X-Forwarded-For names the client at the handshake (per-IP caps, the connect hook's ip); false: the peer's own address. */
    trustProxy: trustProxySchema.default(d.trustProxy),
    /**
     * Connections that have not shown a valid ticket yet ("pending"): closed after `timeoutMs`, at most
     * `maxPending` per node and `maxPendingPerIp` per client address at once (past either the transport is
     * refused with rate_limited). They do not count against maxConnections, which counts ticketed ones.
     */
    handshake: z
      .strictObject({
        timeoutMs: z.number().int().min(200).max(45_000),
        maxPending: z.number().int().min(1),
        maxPendingPerIp: z.number().int().min(1),
      })
      .refine((h) => h.maxPendingPerIp <= h.maxPending, { message: 'maxPendingPerIp cannot exceed maxPending', path: ['maxPendingPerIp'] })
      .default(d.handshake),
  })
  .refine((s) => new Set(s.nodes.map((n) => n.id)).size === s.nodes.length, { message: 'node ids must be unique', path: ['nodes'] });
export type SpearConfig = z.infer<typeof spearSchema>;
export type SpearNodeConfig = z.infer<typeof spearNodeSchema>;
