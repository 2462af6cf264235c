/** The Audit tab's filters as typed (empty: no filter); `from`/`to` are datetime-local values, in the browser's time zone. */
export interface AuditFilters {
  operator: string;
  action: string;
  target: string;
  from: string;
  to: string;
  limit: number;
}

export const NO_FILTERS: AuditFilters = { operator: '', action: '', target: '', from: '', to: '', limit: 100 };

/**
 * GET /api/audit's query for these filters (and the previous page's `next`
 * cursor): only what is set, times as epoch ms. A `to` of a whole minute
 * takes that minute in (datetime-local has no seconds).
 */
export function auditQueryString(filters: AuditFilters, before?: string): string {
  const query = new URLSearchParams();
  for (const key of ['operator', 'action', 'target'] as const) if (filters[key].trim()) query.set(key, filters[key].trim());
  const from = epochOf(filters.from);
  const to = epochOf(filters.to);
  if (from !== undefined) query.set('from', String(from));
  if (to !== undefined) query.set('to', String(to + 59_999));
  query.set('limit', String(filters.limit));
  if (before) query.set('before', before);
  return query.toString();
}

function epochOf(local: string): number | undefined {
  if (!local) return undefined;
  const ms = new Date(local).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}
