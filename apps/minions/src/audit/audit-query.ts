import { z } from 'zod';
import { AUDIT_ACTIONS } from './audit-entry';

/** Most entries one page holds. */
export const AUDIT_PAGE_MAX = 500;

const epochMs = z.coerce.number().int().min(0).max(8.64e15);

/**
 * GET /api/audit's query: every filter optional, newest first.
 * `operator` and `action` match exactly, `target` is a substring;
 * `from`/`to` bound the time (epoch ms, inclusive); `before` is the `next`
 * cursor of the previous page.
 */
export const auditQuerySchema = z
  .strictObject({
    operator: z.string().min(1).max(64).optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    target: z.string().min(1).max(256).optional(),
    from: epochMs.optional(),
    to: epochMs.optional(),
    before: z.string().regex(/^\d{1,16}-\d{1,20}$/, 'expected the next cursor of a previous page').optional(),
    limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(100),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
export type AuditQuery = z.infer<typeof auditQuerySchema>;
