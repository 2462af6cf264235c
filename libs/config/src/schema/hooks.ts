import { z } from 'zod';

/** An RPC service name or method: what libs/rpc's patterns accept. */
const rpcName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 characters of [A-Za-z0-9_.-]');

/**
 * Where a hook (or, later, an rpc route) is served: a cluster RPC service found
 * in ZooKeeper (libs/rpc's balancers and failover apply; calls are hashed by
 * uid for backends that keep per-user state), or an HTTP URL that gets a
 * signed JSON POST (X-Spear-Signature).
 */
export const backendSchema = z.union([
  z.strictObject({ service: rpcName, method: rpcName }),
  z.strictObject({ url: z.string().url().refine((u) => /^https?:/.test(u), 'an http or https URL') }),
]);
export type BackendTarget = z.infer<typeof backendSchema>;

/** One hook: its backend, how long a call may take, and what a failed or late call means. */
export const hookSchema = z.strictObject({
  backend: backendSchema,
  timeoutMs: z.number().int().min(10).max(60_000).default(1000),
  /** `refuse` (default): a failed, late or malformed answer refuses; `allow`: it lets the action through. */
  onFailure: z.enum(['refuse', 'allow']).default('refuse'),
});
export type HookConfig = z.infer<typeof hookSchema>;

/** The hooks the profile turns on (PROTOCOL.md v1.1, "Backends in the loop"). */
export const hooksSchema = z
  .strictObject({
    /** Asked after the ticket is checked: may refuse the connection (`forbidden`), name groups to join and attach `meta`. */
    connect: hookSchema.optional(),
    /** Told, at most once, that a connection the node accepted is gone (a notification: its answer is not read). */
    disconnect: hookSchema.optional(),
    /**
     * Told `{uid, id, from, ts}` for each 1:1 message no device of `uid` acked
     * within `delivery.undeliveredAfterSeconds` of its store (for mobile push);
     * at least once. A failed call is tried again later; `onFailure` is not read.
     */
    undelivered: hookSchema.optional(),
    /** Asked before a client joins a group of a `hook` namespace. */
    join: hookSchema.optional(),
    /** Asked before a client publishes to a group of a `hook` namespace; may replace the body. */
    publish: hookSchema.optional(),
  })
  .default({});
export type HooksConfig = z.infer<typeof hooksSchema>;

/** One `rpc` route: the methods it takes (`match`: exact, or a prefix ending in `.`), its backend, its bound. */
export const routeSchema = z.strictObject({
  match: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'a method name, or a prefix of one ending in "."'),
  backend: backendSchema,
  /** The whole call, discovery and failover included: past it the client gets `timeout`. */
  timeoutMs: z.number().int().min(10).max(60_000).default(5000),
  /** Over RPC: a failed attempt may be retried on another provider (only for methods safe to run twice). */
  retrySafe: z.boolean().default(false),
});
export type RouteConfig = z.infer<typeof routeSchema>;

/** The profile's `rpc` routes; the most specific match wins (exact, then the longest prefix). */
export const routesSchema = z
  .array(routeSchema)
  .max(1000)
  .default([])
  .refine((routes) => new Set(routes.map((r) => r.match)).size === routes.length, { message: 'each match may appear once' });
