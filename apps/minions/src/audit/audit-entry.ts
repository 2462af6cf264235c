/** Everything minions records: each state-changing thing an operator does, and every login attempt. */
export const AUDIT_ACTIONS = [
  'login',
  'logout',
  'sim.token',
  'sim.load.start',
  'sim.load.stop',
  'user.kick',
  'group.member.add',
  'group.member.remove',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** ok: done; refused: the request was wrong or not allowed (4xx); failed: it could not be done (5xx). */
export type AuditOutcome = 'ok' | 'refused' | 'failed';

/** What is recorded: who did what to what, from where, and how it went. */
export interface AuditRecord {
  /** The operator (for a failed login: the name that was tried). */
  operator: string;
  action: AuditAction;
  /** What it was done to (a uid, `<group>/<uid>`...); empty when nothing in particular. */
  target: string;
  /** The client address (request.ip: from X-Forwarded-For only when the peer is one of minions.trustProxy). */
  ip: string;
  outcome: AuditOutcome;
  /** The HTTP status the dashboard answered. */
  status: number;
  /** Why it was refused or failed, or what exactly was done; short. */
  detail?: string;
}

/** A recorded entry: its stream id (the paging cursor) and when (epoch ms). */
export interface AuditEntry extends AuditRecord {
  id: string;
  at: number;
}

/** Longest text kept per field: an entry stays small whatever a request carried. */
export const AUDIT_FIELD_MAX = 256;

export function outcomeOf(status: number): AuditOutcome {
  return status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed';
}

/** The stream fields of a record (XADD's field-value list), each bounded. */
export function auditFields(record: AuditRecord): string[] {
  const cut = (s: string) => s.slice(0, AUDIT_FIELD_MAX);
  const fields = ['operator', cut(record.operator), 'action', record.action, 'target', cut(record.target), 'ip', cut(record.ip), 'outcome', record.outcome, 'status', String(record.status)];
  return record.detail ? [...fields, 'detail', cut(record.detail)] : fields;
}

/** An entry from a stream id and its field-value list; undefined for anything this code did not write. */
export function auditEntryOf(id: string, fields: readonly string[]): AuditEntry | undefined {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!, fields[i + 1]!);
  const action = values.get('action') as AuditAction | undefined;
  const outcome = values.get('outcome') as AuditOutcome | undefined;
  const at = Number(id.split('-')[0]);
  const status = Number(values.get('status'));
  if (!action || !AUDIT_ACTIONS.includes(action) || !outcome || !['ok', 'refused', 'failed'].includes(outcome) || !Number.isFinite(at) || !Number.isInteger(status)) return undefined;
  const detail = values.get('detail');
  return { id, at, operator: values.get('operator') ?? '', action, target: values.get('target') ?? '', ip: values.get('ip') ?? '', outcome, status, ...(detail ? { detail } : {}) };
}
