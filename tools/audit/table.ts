/** Plain-text table of judged findings for the CI log: one line per advisory, worst first. */
import type { JudgedFinding, Status } from './verdict';
import { SEVERITIES } from './severity';

const STATUS_TEXT: Record<Status, (j: JudgedFinding) => string> = {
  blocked: () => 'FAIL: not in allow-list',
  'blocked-expired': (j) => `FAIL: allow-list entry expired ${j.entry!.expires}`,
  allowed: (j) => `allowed until ${j.entry!.expires} (${j.entry!.reviewedBy})`,
  'below-threshold': () => 'ok: below high',
};

/** Guarantee: a header, a rule, then one row per judged finding; an empty input gives an empty string. */
export function formatTable(judged: JudgedFinding[]): string {
  if (judged.length === 0) return '';
  const sorted = [...judged].sort(
    (a, b) => SEVERITIES.indexOf(b.finding.severity) - SEVERITIES.indexOf(a.finding.severity) || a.finding.package.localeCompare(b.finding.package),
  );
  const rows = sorted.map((j) => [
    j.finding.severity,
    j.finding.package,
    j.finding.range,
    j.finding.id,
    STATUS_TEXT[j.status](j),
    where(j.finding.locations),
    j.finding.title,
  ]);
  const header = ['severity', 'package', 'vulnerable', 'advisory', 'status', 'where', 'title'];
  // The title is last and left unpadded: it is the long, free-text column.
  const widths = header.slice(0, -1).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w)).concat('-----')), ...rows.map(line)].join('\n');
}

function where(locations: string[]): string {
  if (locations.length === 0) return '-';
  return locations.length === 1 ? locations[0]! : `${locations[0]} (+${locations.length - 1})`;
}
