/**
 * Reads what `npm audit --json` printed. npm prints one of two JSON shapes, whatever its exit code:
 * a report (`auditReportVersion: 2`, `vulnerabilities` keyed by package) or, when the advisory
 * endpoint failed, an error object (`message`, and `statusCode` when the endpoint answered).
 */
import type { Finding } from './finding';
import { isSeverity, type Severity } from './severity';

export type AuditOutcome =
  | { kind: 'report'; findings: Finding[] }
  /** No advisory data came back: nothing was checked. `reason` is npm's own words. */
  | { kind: 'unreachable'; reason: string };

/** One entry of a vulnerability's `via`: an advisory object, or the name of a vulnerable dependency. */
interface AdvisoryVia {
  source: number;
  name: string;
  dependency?: string;
  title?: string;
  url?: string | null;
  severity: Severity;
  range?: string;
}

interface VulnerabilityEntry {
  name: string;
  via: (AdvisoryVia | string)[];
  nodes?: string[];
}

const GHSA_IN_URL = /\/(GHSA(?:-[0-9a-z]{4}){3})$/i;

/**
 * Guarantee: never throws. Output that is neither shape is `unreachable` with the reason spelled
 * out, so a changed npm format is seen as "nothing checked", never as "nothing found".
 */
export function parseNpmAuditOutput(stdout: string): AuditOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    const start = stdout.trim().slice(0, 200);
    return { kind: 'unreachable', reason: start ? `npm audit printed no JSON: ${start}` : 'npm audit printed nothing' };
  }
  if (!isObject(parsed)) return { kind: 'unreachable', reason: 'npm audit printed JSON that is not an object' };
  if (typeof parsed.message === 'string' && !('auditReportVersion' in parsed)) {
    const status = typeof parsed.statusCode === 'number' ? ` (HTTP ${parsed.statusCode})` : '';
    return { kind: 'unreachable', reason: `${parsed.message}${status}` };
  }
  if (parsed.auditReportVersion !== 2 || !isObject(parsed.vulnerabilities)) {
    return { kind: 'unreachable', reason: `unknown npm audit report format (auditReportVersion ${String(parsed.auditReportVersion)})` };
  }
  const findings: Finding[] = [];
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(parsed.vulnerabilities)) {
    if (!isVulnerabilityEntry(entry)) {
      problems.push(`vulnerability "${name}" has no via list`);
      continue;
    }
    for (const via of entry.via) {
      // A string names a dependency whose own entry carries the advisory: counted there, once.
      if (typeof via === 'string') continue;
      if (!isAdvisoryVia(via)) {
        problems.push(`vulnerability "${name}" has an advisory without source, name or a known severity`);
        continue;
      }
      findings.push(toFinding(via, entry.nodes ?? []));
    }
  }
  // Half a report could hide a critical advisory in the half that did not parse.
  if (problems.length) return { kind: 'unreachable', reason: `npm audit report not understood: ${problems.join('; ')}` };
  return { kind: 'report', findings: dedupe(findings) };
}

function toFinding(via: AdvisoryVia, locations: string[]): Finding {
  const ghsa = via.url ? GHSA_IN_URL.exec(via.url)?.[1] : undefined;
  const npmId = `npm:${via.source}`;
  const id = ghsa ?? npmId;
  return {
    id,
    aliases: ghsa ? [ghsa, npmId] : [npmId],
    package: via.dependency ?? via.name,
    severity: via.severity,
    title: via.title ?? '',
    url: via.url ?? null,
    range: via.range ?? '*',
    locations: [...locations].sort(),
  };
}

/** npm lists an advisory once per vulnerability entry; a package appears once, so keep the first. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const f of findings) seen.set(`${f.id} ${f.package}`, seen.get(`${f.id} ${f.package}`) ?? f);
  return [...seen.values()].sort((a, b) => a.package.localeCompare(b.package) || a.id.localeCompare(b.id));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isVulnerabilityEntry(value: unknown): value is VulnerabilityEntry {
  return isObject(value) && Array.isArray(value.via) && (value.nodes === undefined || Array.isArray(value.nodes));
}

function isAdvisoryVia(value: unknown): value is AdvisoryVia {
  return isObject(value) && typeof value.source === 'number' && typeof value.name === 'string' && isSeverity(value.severity);
}
