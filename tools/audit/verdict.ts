/**
 * Applies the allow-list to what the advisory source found. One rule: a high or critical advisory
 * fails CI unless an active allow-list entry names that advisory on that package.
 */
import { isActive, matches, type AllowEntry } from './allow-list';
import type { Finding } from './finding';
import { isBlocking } from './severity';

export type Status =
  /** High or critical, and no active entry covers it: CI fails. */
  | 'blocked'
  /** High or critical, covered by an entry whose expiry has passed: CI fails until it is reviewed again. */
  | 'blocked-expired'
  /** High or critical, covered by an active entry. */
  | 'allowed'
  /** Moderate or lower: shown, never fails CI. */
  | 'below-threshold';

export interface JudgedFinding {
  finding: Finding;
  status: Status;
  entry: AllowEntry | null;
}

export interface Verdict {
  judged: JudgedFinding[];
  /** The findings that fail CI (status blocked or blocked-expired). */
  blocking: JudgedFinding[];
  /** Entries that matched no finding: the advisory is fixed or withdrawn, so the entry can go. */
  unused: AllowEntry[];
}

/** Guarantee: every finding is judged exactly once; `today` is YYYY-MM-DD (UTC). */
export function judge(findings: Finding[], entries: AllowEntry[], today: string): Verdict {
  const used = new Set<AllowEntry>();
  const judged = findings.map((finding): JudgedFinding => {
    const entry = entries.find((e) => matches(e, finding)) ?? null;
    if (entry) used.add(entry);
    if (!isBlocking(finding.severity)) return { finding, status: 'below-threshold', entry };
    if (!entry) return { finding, status: 'blocked', entry };
    return { finding, status: isActive(entry, today) ? 'allowed' : 'blocked-expired', entry };
  });
  return {
    judged,
    blocking: judged.filter((j) => j.status === 'blocked' || j.status === 'blocked-expired'),
    unused: entries.filter((e) => !used.has(e)),
  };
}
