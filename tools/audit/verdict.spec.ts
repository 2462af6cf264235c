import { describe, expect, it } from 'vitest';
import { judge } from './verdict';
import { entry, finding } from './test-data';

const TODAY = '2026-12-03';

describe('verdict', () => {
  it('fails a critical advisory that no entry names', () => {
    const verdict = judge([finding()], [], TODAY);
    expect(verdict.judged.map((j) => j.status)).toEqual(['blocked']);
    expect(verdict.blocking).toHaveLength(1);
  });

  it('fails a high advisory too', () => {
    expect(judge([finding({ severity: 'high' })], [], TODAY).blocking).toHaveLength(1);
  });

  it('lets an advisory through while its entry is active', () => {
    const verdict = judge([finding()], [entry({ expires: TODAY })], TODAY);
    expect(verdict.judged.map((j) => j.status)).toEqual(['allowed']);
    expect(verdict.blocking).toEqual([]);
    expect(verdict.unused).toEqual([]);
  });

  it('fails it again once the entry has expired', () => {
    const verdict = judge([finding()], [entry({ expires: '2026-12-02' })], TODAY);
    expect(verdict.judged.map((j) => j.status)).toEqual(['blocked-expired']);
    expect(verdict.blocking).toHaveLength(1);
  });

  it('is not let through by an entry for another package', () => {
    expect(judge([finding()], [entry({ package: 'mkdirp' })], TODAY).blocking).toHaveLength(1);
  });

  it('never fails on moderate, low or info advisories', () => {
    const findings = (['moderate', 'low', 'info'] as const).map((severity) => finding({ severity, id: `npm:${severity.length}`, aliases: [`npm:${severity.length}`] }));
    const verdict = judge(findings, [], TODAY);
    expect(verdict.judged.map((j) => j.status)).toEqual(['below-threshold', 'below-threshold', 'below-threshold']);
    expect(verdict.blocking).toEqual([]);
  });

  it('reports entries that match no advisory any more', () => {
    const stale = entry({ id: 'GHSA-vh95-rmgr-6w4m', package: 'minimist' });
    const verdict = judge([finding()], [entry(), stale], TODAY);
    expect(verdict.unused).toEqual([stale]);
  });
});
