import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNpmAuditOutput } from './npm-audit-report';

// Printed by npm itself: the report against the local endpoint of npm-audit-endpoint.spec.ts, and
// the two errors this machine gets (the registry's 405, a registry name that does not resolve).
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('npm audit --json output', () => {
  it('yields one finding per advisory and skips the entries that only depend on a vulnerable package', () => {
    const outcome = parseNpmAuditOutput(fixture('npm-audit-report.json'));
    expect(outcome.kind).toBe('report');
    // mkdirp is in the report only through minimist (via: ["minimist"]): it is not an advisory of its own.
    expect(outcome.kind === 'report' && outcome.findings.map((f) => `${f.package} ${f.id} ${f.severity}`)).toEqual([
      'minimist GHSA-xvch-5gv4-984h critical',
      'ms GHSA-w9mr-4mfr-499f moderate',
    ]);
  });

  it('reads the registry\'s refusal as unreachable, with its status', () => {
    expect(parseNpmAuditOutput(fixture('npm-audit-405.json'))).toEqual({
      kind: 'unreachable',
      reason: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk (HTTP 405)',
    });
  });

  it('reads a network failure as unreachable', () => {
    const outcome = parseNpmAuditOutput(fixture('npm-audit-enotfound.json'));
    expect(outcome.kind === 'unreachable' && outcome.reason).toMatch(/ENOTFOUND nonexistent\.invalid$/);
  });

  it.each([
    ['nothing', '', 'npm audit printed nothing'],
    ['text', 'npm error something', 'npm audit printed no JSON: npm error something'],
    ['a list', '[]', 'npm audit printed JSON that is not an object'],
    ['another report version', '{"auditReportVersion":3,"vulnerabilities":{}}', 'unknown npm audit report format (auditReportVersion 3)'],
  ])('never reads %s as a clean report', (_what, stdout, reason) => {
    expect(parseNpmAuditOutput(stdout)).toEqual({ kind: 'unreachable', reason });
  });

  it('refuses the whole report when one advisory has a severity it does not know', () => {
    const report = JSON.parse(fixture('npm-audit-report.json'));
    report.vulnerabilities.minimist.via[0].severity = 'severe';
    const outcome = parseNpmAuditOutput(JSON.stringify(report));
    expect(outcome).toEqual({ kind: 'unreachable', reason: 'npm audit report not understood: vulnerability "minimist" has an advisory without source, name or a known severity' });
  });

  it('names an advisory without a GitHub url by npm\'s number', () => {
    const report = JSON.parse(fixture('npm-audit-report.json'));
    report.vulnerabilities.minimist.via[0].url = null;
    const outcome = parseNpmAuditOutput(JSON.stringify(report));
    expect(outcome.kind === 'report' && outcome.findings[0]).toMatchObject({ id: 'npm:1097678', aliases: ['npm:1097678'], package: 'minimist' });
  });

  it('lists an advisory once per package however many entries carry it', () => {
    const report = JSON.parse(fixture('npm-audit-report.json'));
    report.vulnerabilities.minimist.via.push({ ...report.vulnerabilities.minimist.via[0] });
    const outcome = parseNpmAuditOutput(JSON.stringify(report));
    expect(outcome.kind === 'report' && outcome.findings).toHaveLength(2);
  });
});
