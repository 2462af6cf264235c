import { z } from 'zod';
import { DEFAULTS } from '../defaults';
import { httpListener } from './primitives';

export const ticketSchema = z.strictObject({
  http: httpListener,
  ticketTtlSeconds: z.number().int().min(1).max(3600).default(DEFAULTS.ticket.ticketTtlSeconds),
  tokenTtlSeconds: z.number().int().min(1).max(30 * 86400).default(DEFAULTS.ticket.tokenTtlSeconds),
  bodyLimitBytes: z.number().int().min(1024).default(DEFAULTS.ticket.bodyLimitBytes),
});
export type TicketConfig = z.infer<typeof ticketSchema>;
