import { z } from 'zod';
import { DEFAULTS } from '../defaults';
import { httpListener } from './primitives';
import { rpcListener } from './rpc';

const d = DEFAULTS.stat;

/** One resolution of the rolling time series: `keepSeconds / stepSeconds` buckets per series. */
const resolution = z
  .strictObject({ stepSeconds: z.number().int().min(1).max(3600), keepSeconds: z.number().int().min(10).max(30 * 86_400) })
  .refine((r) => r.keepSeconds % r.stepSeconds === 0 && r.keepSeconds / r.stepSeconds <= 100_000, { message: 'keepSeconds must be a multiple of stepSeconds, at most 100,000 buckets' });

export const statSchema = z
  .strictObject({
    http: httpListener,
    rpc: rpcListener,
    /** A node whose last report is older than this is shown as stale. */
    staleAfterMs: z.number().int().min(500).max(3_600_000).default(d.staleAfterMs),
    /** Fine series (recent, e.g. 1 s buckets for 10 min) and coarse series (e.g. 10 s buckets for 24 h). */
    fine: resolution.default(d.fine),
    coarse: resolution.default(d.coarse),
  })
  .refine((c) => c.fine.stepSeconds < c.coarse.stepSeconds && c.coarse.stepSeconds % c.fine.stepSeconds === 0, { message: 'coarse.stepSeconds must be a larger multiple of fine.stepSeconds', path: ['coarse'] });
export type StatConfig = z.infer<typeof statSchema>;
