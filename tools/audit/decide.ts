/**
 * Turns what the advisory source said into the check's exit code and its log text.
 * Exit codes: 0 passed (or source unreachable and not required), 1 high/critical advisories
 * not allowed, 3 source unreachable while SPEAR_AUDIT_REQUIRE_SOURCE is set. (2, a bad
 * allow-list or usage, is main's.)
 */
import { isActive, type AllowEntry } from './allow-list';
import type { AuditOutcome } from './npm-audit-report';
import { formatTable } from './table';
import { judge } from './verdict';

export interface Decision {
  exitCode: 0 | 1 | 3;
  text: string;
}

const BANNER = '!'.repeat(78);

/** Guarantee: exit code 0 never hides a blocking finding; an unreachable source is always said in capitals. */
export function decide(outcome: AuditOutcome, entries: AllowEntry[], today: string, requireSource: boolean): Decision {
  if (outcome.kind === 'unreachable') return unreachable(outcome.reason, entries, today, requireSource);
  const verdict = judge(outcome.findings, entries, today);
  const lines: string[] = [];
  const count = (s: string) => verdict.judged.filter((j) => j.status === s).length;
  lines.push(
    `dependency advisories: ${outcome.findings.length} found in package-lock.json: ` +
      `${verdict.blocking.length} failing, ${count('allowed')} allowed by the reviewed allow-list, ${count('below-threshold')} below high`,
  );
  const table = formatTable(verdict.judged);
  if (table) lines.push('', table, '');
  for (const entry of verdict.unused) {
    lines.push(`dependency advisories: allow-list entry ${entry.id} on ${entry.package} matches no advisory any more: remove it`);
  }
  if (verdict.blocking.length) {
    lines.push(
      `dependency advisories: FAIL: ${verdict.blocking.length} high/critical advisor${verdict.blocking.length === 1 ? 'y' : 'ies'} ` +
        'without an active allow-list entry. Upgrade the package (npm update / an override), or, if the advisory ' +
        'cannot reach Spear, add a reviewed entry to tools/audit/allow-list.json (docs/SECURITY.md).',
    );
    return { exitCode: 1, text: lines.join('\n') };
  }
  lines.push('dependency advisories: ok (no high or critical advisory without an active allow-list entry)');
  return { exitCode: 0, text: lines.join('\n') };
}

function unreachable(reason: string, entries: AllowEntry[], today: string, requireSource: boolean): Decision {
  const expired = entries.filter((e) => !isActive(e, today));
  const lines = [
    BANNER,
    'DEPENDENCY ADVISORIES NOT CHECKED: the advisory source is unreachable.',
    `  npm audit: ${reason}`,
    '  No check of package-lock.json against known high/critical advisories ran; this run says nothing about them.',
    ...expired.map((e) => `  allow-list entry ${e.id} on ${e.package} expired ${e.expires}: review it again`),
    requireSource
      ? '  SPEAR_AUDIT_REQUIRE_SOURCE is set, so this fails the run.'
      : '  Not fatal (see docs/SECURITY.md, "Dependency advisories"); SPEAR_AUDIT_REQUIRE_SOURCE=true makes it fatal.',
    BANNER,
  ];
  return { exitCode: requireSource ? 3 : 0, text: lines.join('\n') };
}
