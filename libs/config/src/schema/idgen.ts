import { z } from 'zod';
import { DEFAULTS } from '../defaults';
import { httpListener } from './primitives';
import { rpcListener } from './rpc';

const d = DEFAULTS.idgen;

export const idgenSchema = z
  .strictObject({
    http: httpListener,
    rpc: rpcListener,
    /** Custom epoch of the snowflake layout; every idgen of a deployment must share it. */
    epochMs: z.number().int().min(0).default(d.epochMs),
    /** A backwards clock step up to this is waited out; a larger one refuses with clock_backwards. */
    maxBackwardsMs: z.number().int().min(0).max(1000).default(d.maxBackwardsMs),
    /** Strict mode: only the elected leader serves; the others stand by. */
    strict: z.boolean().default(false),
    maxBatch: z.number().int().min(1).max(4096).default(d.maxBatch),
    workerIds: z.strictObject({ min: z.number().int().min(0).max(1023), max: z.number().int().min(0).max(1023) }).default(d.workerIds),
  })
  .refine((c) => c.workerIds.min <= c.workerIds.max, { message: 'min must not exceed max', path: ['workerIds'] });
export type IdgenConfig = z.infer<typeof idgenSchema>;
