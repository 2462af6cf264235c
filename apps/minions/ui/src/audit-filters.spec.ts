import { describe, expect, it } from 'vitest';
import { auditQueryString, NO_FILTERS } from './audit-filters';

describe('auditQueryString', () => {
  it('sends only the filters that are set, and the page cursor', () => {
    expect(auditQueryString(NO_FILTERS)).toBe('limit=100');
    expect(auditQueryString({ ...NO_FILTERS, operator: ' admin ', action: 'user.kick', limit: 20 }, '1700000000000-3')).toBe('operator=admin&action=user.kick&limit=20&before=1700000000000-3');
  });

  it('turns local times into epoch ms, `to` through the end of its minute', () => {
    const from = new Date('2030-01-02T03:04').getTime();
    const query = new URLSearchParams(auditQueryString({ ...NO_FILTERS, from: '2030-01-02T03:04', to: '2030-01-02T03:04' }));
    expect(Number(query.get('from'))).toBe(from);
    expect(Number(query.get('to'))).toBe(from + 59_999);
    expect(auditQueryString({ ...NO_FILTERS, from: 'not a time' })).toBe('limit=100');
  });
});
