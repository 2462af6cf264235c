import { z } from 'zod';
import { DEFAULTS } from '../defaults';
import { host, port } from './primitives';

/**
 * The load balancers and cluster strategies a profile can name per service.
 * The one list of each: @spear/rpc imports them to pick its implementations
 * (config cannot import rpc: rpc's tests depend on @spear/testing, which
 * depends on config).
 */
export const LOAD_BALANCER_NAMES = ['random', 'roundrobin', 'leastactive', 'consistenthash'] as const;
export const CLUSTER_NAMES = ['failover', 'failfast'] as const;

/** How calls to one service are placed (every field optional: unset ones come from rpc.defaults). */
export const servicePolicySchema = z.strictObject({
  loadbalance: z.enum(LOAD_BALANCER_NAMES).optional(),
  cluster: z.enum(CLUSTER_NAMES).optional(),
  timeoutMs: z.number().int().min(1).max(60_000).optional(),
  retries: z.number().int().min(0).max(10).optional(),
  retrySafe: z.array(z.string().min(1)).optional(),
});

/** RPC as every app uses it: call policies, and the bounds of its connections. */
export const rpcSchema = z
  .strictObject({
    defaults: servicePolicySchema.default({}),
    services: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), servicePolicySchema).default({}),
    /** The largest frame (a call or a reply) a process accepts; a larger one closes the connection. */
    maxFrameBytes: z.number().int().min(16 * 1024).max(16 * 1024 * 1024).default(DEFAULTS.rpc.maxFrameBytes),
    /** Connections one peer address may hold to a provider (each of our processes holds one). */
    maxConnectionsPerPeer: z.number().int().min(1).max(100_000).default(DEFAULTS.rpc.maxConnectionsPerPeer),
  })
  .default({ defaults: {}, services: {}, maxFrameBytes: DEFAULTS.rpc.maxFrameBytes, maxConnectionsPerPeer: DEFAULTS.rpc.maxConnectionsPerPeer });

/** Where an RPC provider listens and how much traffic it wants. */
export const rpcListener = z.strictObject({
  host,
  port,
  weight: z.number().int().min(1).max(100).default(DEFAULTS.rpc.weight),
});
