import { z } from 'zod';
import { DEFAULTS } from '../defaults';
import { host, port } from './primitives';

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
    maxBodyBytes: z.number().int().min(16).default(DEFAULTS.spear.maxBodyBytes),
    maxConnections: z.number().int().min(1).default(DEFAULTS.spear.maxConnections),
  })
  .refine((s) => new Set(s.nodes.map((n) => n.id)).size === s.nodes.length, { message: 'node ids must be unique', path: ['nodes'] });
export type SpearConfig = z.infer<typeof spearSchema>;
export type SpearNodeConfig = z.infer<typeof spearNodeSchema>;
