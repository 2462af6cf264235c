import { z } from 'zod';
import { NODE_METRIC_NAMES } from '@spear/stat-client';
import { RPC_SERIES_METRICS } from '../store/rpc-stats';

/** Most points one series query may answer. */
export const MAX_POINTS = 3600;

const epochMs = z.coerce.number().int().min(0);
const name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);

/** Common to series queries: a range (default: the last 5 minutes) and a resolution (default: fine if it holds the range). */
const range = {
  from: epochMs.optional(),
  to: epochMs.optional(),
  step: z.enum(['fine', 'coarse']).optional(),
};

export const nodeSeriesQuery = z.strictObject({
  metric: z.enum(NODE_METRIC_NAMES as [string, ...string[]]),
  node: z.union([z.literal('all'), name]).default('all'),
  ...range,
});

export const rpcSummaryQuery = z.strictObject({
  windowSeconds: z.coerce.number().int().min(1).max(3600).default(60),
});

export const rpcSeriesQuery = z.strictObject({
  side: z.enum(['client', 'server']),
  service: name,
  method: name,
  provider: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/).optional(),
  metric: z.enum(RPC_SERIES_METRICS),
  ...range,
});

/** GET /v1/groups/{group}: how many seconds of per-second traffic (what GroupTraffic keeps: 60). */
export const groupSeriesQuery = z.strictObject({
  seconds: z.coerce.number().int().min(1).max(60).default(60),
});
