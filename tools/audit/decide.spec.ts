import { describe, expect, it } from 'vitest';
import { decide } from './decide';
import { entry, finding } from './test-data';

const TODAY = '2026-12-03';

describe('decision', () => {
  it('fails with a table naming the advisory, the package and the reason', () => {
    const { exitCode, text } = decide({ kind: 'report', findings: [finding(), finding({ package: 'ms', id: 'npm:1', aliases: ['npm:1'], severity: 'moderate' })] }, [], TODAY, false);
    expect(exitCode).toBe(1);
    const rows = text.split('\n').filter((l) => l.startsWith('critical') || l.startsWith('moderate'));
    // Worst first.
    expect(rows[0]).toMatch(/^critical\s+minimist\s+<1\.2\.6\s+GHSA-xvch-5gv4-984h\s+FAIL: not in allow-list\s+node_modules\/minimist\s+Prototype Pollution/);
    expect(rows[1]).toMatch(/^moderate\s+ms .*ok: below high/);
    expect(text).toMatch(/FAIL: 1 high\/critical advisory without an active allow-list entry/);
  });

  it('passes when every high or critical advisory is allowed, and says until when', () => {
    const { exitCode, text } = decide({ kind: 'report', findings: [finding()] }, [entry()], TODAY, false);
    expect(exitCode).toBe(0);
    expect(text).toMatch(/allowed until 2027-02-01 \(lead\)/);
    expect(text).toMatch(/dependency advisories: ok/);
  });

  it('says an expired entry is why it fails', () => {
    const { exitCode, text } = decide({ kind: 'report', findings: [finding()] }, [entry({ expires: '2026-12-02' })], TODAY, false);
    expect(exitCode).toBe(1);
    expect(text).toMatch(/FAIL: allow-list entry expired 2026-12-02/);
  });

  it('passes a clean report', () => {
    expect(decide({ kind: 'report', findings: [] }, [], TODAY, false)).toEqual({
      exitCode: 0,
      text: 'dependency advisories: 0 found in package-lock.json: 0 failing, 0 allowed by the reviewed allow-list, 0 below high\n' +
        'dependency advisories: ok (no high or critical advisory without an active allow-list entry)',
    });
  });

  it('says loudly that nothing was checked when the source is unreachable, and passes unless the source is required', () => {
    const outcome = { kind: 'unreachable' as const, reason: '405 Method Not Allowed (HTTP 405)' };
    const relaxed = decide(outcome, [entry({ expires: '2026-12-02' })], TODAY, false);
    expect(relaxed.exitCode).toBe(0);
    expect(relaxed.text).toMatch(/DEPENDENCY ADVISORIES NOT CHECKED/);
    expect(relaxed.text).toMatch(/npm audit: 405 Method Not Allowed \(HTTP 405\)/);
    expect(relaxed.text).toMatch(/allow-list entry GHSA-xvch-5gv4-984h on minimist expired 2026-12-02: review it again/);
    const strict = decide(outcome, [], TODAY, true);
    expect(strict.exitCode).toBe(3);
    expect(strict.text).toMatch(/SPEAR_AUDIT_REQUIRE_SOURCE is set, so this fails the run/);
  });
});
