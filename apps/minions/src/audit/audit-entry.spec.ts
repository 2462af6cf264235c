import { describe, expect, it } from 'vitest';
import { AUDIT_FIELD_MAX, auditEntryOf, auditFields, outcomeOf, type AuditRecord } from './audit-entry';

const kick: AuditRecord = { operator: 'admin', action: 'user.kick', target: 'alice', ip: '127.0.0.1', outcome: 'ok', status: 204 };

describe('audit entries', () => {
  it('round-trip through stream fields: who, what, target, ip, outcome, status, and when from the id', () => {
    const fields = auditFields(kick);
    expect(fields).toEqual(['operator', 'admin', 'action', 'user.kick', 'target', 'alice', 'ip', '127.0.0.1', 'outcome', 'ok', 'status', '204']);
    expect(auditEntryOf('1700000000123-4', fields)).toEqual({ id: '1700000000123-4', at: 1_700_000_000_123, ...kick });
    const refused: AuditRecord = { ...kick, action: 'login', target: '', outcome: 'refused', status: 401, detail: 'wrong password' };
    expect(auditEntryOf('1-0', auditFields(refused))).toEqual({ id: '1-0', at: 1, ...refused });
  });

  it('bound every free-text field', () => {
    const long = 'x'.repeat(10_000);
    const entry = auditEntryOf('1-0', auditFields({ ...kick, operator: long, target: long, detail: long, ip: long }))!;
    for (const value of [entry.operator, entry.target, entry.detail, entry.ip]) expect(value).toHaveLength(AUDIT_FIELD_MAX);
  });

  it('ignore what this code did not write', () => {
    expect(auditEntryOf('1-0', ['operator', 'x'])).toBeUndefined();
    expect(auditEntryOf('1-0', auditFields(kick).map((v) => (v === 'user.kick' ? 'user.delete' : v)))).toBeUndefined();
    expect(auditEntryOf('1-0', auditFields(kick).map((v) => (v === 'ok' ? 'maybe' : v)))).toBeUndefined();
    expect(auditEntryOf('1-0', auditFields(kick).map((v) => (v === '204' ? 'x' : v)))).toBeUndefined();
  });

  it('call a 4xx refused and a 5xx failed', () => {
    expect([200, 204, 302, 400, 401, 403, 429, 500, 503].map(outcomeOf)).toEqual(['ok', 'ok', 'ok', 'refused', 'refused', 'refused', 'refused', 'failed', 'failed']);
  });
});
