import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AllowListError, isActive, loadAllowList, matches, MAX_REVIEW_DAYS, parseAllowList, utcDay } from './allow-list';
import { entry, finding } from './test-data';

const TODAY = '2026-12-03';
const parse = (...advisories: unknown[]) => parseAllowList({ advisories }, TODAY, 'allow-list.json');

describe('allow-list file', () => {
  it('accepts reviewed entries, by GHSA id or npm number', () => {
    const entries = parse(entry(), entry({ id: 'npm:1094419', package: 'ms' }));
    expect(entries.map((e) => `${e.id} ${e.package}`)).toEqual(['GHSA-xvch-5gv4-984h minimist', 'npm:1094419 ms']);
  });

  it('accepts the committed tools/audit/allow-list.json', () => {
    expect(() => loadAllowList(join(__dirname, 'allow-list.json'), utcDay(new Date()))).not.toThrow();
  });

  it.each([
    ['an id that is no advisory id', { id: 'CVE-2021-44906' }, /advisories\[0\] \(CVE-2021-44906\)\.id: a GHSA id/],
    ['a reason too short to say why', { reason: 'n/a' }, /\.reason: why the advisory does not apply/],
    ['no reviewer', { reviewedBy: ' ' }, /\.reviewedBy: who reviewed it/],
    ['a date that is not a date', { expires: '2027-02-30' }, /\.expires: a date, YYYY-MM-DD/],
    ['a field nobody reads', { severity: 'high' }, /advisories\[0\].*severity/],
  ])('refuses %s, naming the entry and the field', (_what, change, message) => {
    expect(() => parse({ ...entry(), ...change })).toThrow(message);
  });

  it('says which fields are missing', () => {
    expect(() => parse({ id: 'GHSA-xvch-5gv4-984h', package: 'minimist' })).toThrow(
      /advisories\[0\] \(GHSA-xvch-5gv4-984h\)\.reason: missing; .*\.reviewedBy: missing; .*\.reviewedOn: missing; .*\.expires: missing$/,
    );
  });

  it('refuses a file without the advisories list', () => {
    expect(() => parseAllowList([], TODAY, 'allow-list.json')).toThrow(AllowListError);
  });

  it('refuses the same advisory on the same package twice', () => {
    expect(() => parse(entry(), entry({ id: 'ghsa-xvch-5gv4-984h' }))).toThrow(/advisories\[1\].*listed twice/);
  });

  it('refuses a review dated after today', () => {
    expect(() => parse(entry({ reviewedOn: '2026-12-04', expires: '2027-01-01' }))).toThrow(/reviewedOn 2026-12-04 is after today/);
  });

  it('refuses an expiry on or before the review', () => {
    expect(() => parse(entry({ reviewedOn: '2026-12-01', expires: '2026-12-01' }))).toThrow(/is not after reviewedOn/);
  });

  it(`refuses an expiry more than ${MAX_REVIEW_DAYS} days after the review`, () => {
    expect(() => parse(entry({ reviewedOn: '2026-01-01', expires: '2026-06-30' }))).not.toThrow(); // 180 days
    expect(() => parse(entry({ reviewedOn: '2026-01-01', expires: '2026-07-01' }))).toThrow(/181 days after review; at most 180/);
  });

  it('keeps an expired entry, so the check can say it expired', () => {
    expect(parse(entry({ reviewedOn: '2026-01-01', expires: '2026-02-01' }))).toHaveLength(1);
  });

  it('names the file when it is missing or not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spear-allow-'));
    try {
      expect(() => loadAllowList(join(dir, 'none.json'), TODAY)).toThrow(/none\.json: cannot be read/);
      writeFileSync(join(dir, 'bad.json'), '{ "advisories": [ }');
      expect(() => loadAllowList(join(dir, 'bad.json'), TODAY)).toThrow(/bad\.json: not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('allow-list expiry', () => {
  it('holds through the whole expiry day and not one day after', () => {
    const e = entry({ expires: '2027-02-01' });
    expect(isActive(e, '2027-01-31')).toBe(true);
    expect(isActive(e, '2027-02-01')).toBe(true);
    expect(isActive(e, '2027-02-02')).toBe(false);
  });

  it('counts days in UTC', () => {
    expect(utcDay(new Date('2027-02-01T23:59:59.999Z'))).toBe('2027-02-01');
    expect(utcDay(new Date('2027-02-02T00:00:00.000Z'))).toBe('2027-02-02');
  });
});

describe('allow-list matching', () => {
  it('matches the advisory by its GHSA id or its npm number, case aside', () => {
    expect(matches(entry(), finding())).toBe(true);
    expect(matches(entry({ id: 'npm:1097678' }), finding())).toBe(true);
    expect(matches(entry({ id: 'ghsa-XVCH-5gv4-984h' }), finding())).toBe(true);
  });

  it('does not match another advisory on the same package', () => {
    expect(matches(entry({ id: 'GHSA-vh95-rmgr-6w4m' }), finding())).toBe(false);
  });

  it('does not match the same advisory on another package', () => {
    expect(matches(entry({ package: 'mkdirp' }), finding())).toBe(false);
  });
});
