/**
 * Dependency advisory check (issue #19), run by scripts/test.sh:
 *   tsx tools/audit/main.ts [--report=<npm audit --json output>] [--allow-list=<file>]
 * Without --report it runs `npm audit` on the workspace's package-lock.json.
 * Environment: SPEAR_AUDIT_TIMEOUT_MS (default 60000), SPEAR_AUDIT_REGISTRY (a registry or mirror
 * serving the advisory endpoint), SPEAR_AUDIT_REQUIRE_SOURCE=true (an unreachable source fails).
 * Exit: 0 ok, 1 high/critical advisories not allowed, 2 bad allow-list or usage, 3 source required but unreachable.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AllowListError, loadAllowList, utcDay } from './allow-list';
import { decide } from './decide';
import { parseNpmAuditOutput, type AuditOutcome } from './npm-audit-report';
import { runNpmAudit } from './run-npm-audit';

const USAGE = 'usage: audit [--report=<file>] [--allow-list=<file>]';
const WORKSPACE_ROOT = resolve(__dirname, '../..');
const DEFAULT_TIMEOUT_MS = 60_000;

function parseArgs(argv: string[]): { report?: string; allowList: string } {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--(report|allow-list)=(.+)$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}\n${USAGE}`);
    flags.set(m[1]!, m[2]!);
  }
  return { report: flags.get('report'), allowList: flags.get('allow-list') ?? resolve(__dirname, 'allow-list.json') };
}

function timeoutFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_TIMEOUT_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1_000 || ms > 600_000) throw new Error(`SPEAR_AUDIT_TIMEOUT_MS must be whole milliseconds from 1000 to 600000, not "${value}"`);
  return ms;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const today = utcDay(new Date());
  // Checked first and always: a broken allow-list fails even where the source is unreachable.
  const entries = loadAllowList(args.allowList, today);
  const requireSource = process.env.SPEAR_AUDIT_REQUIRE_SOURCE === 'true';
  const timeoutMs = timeoutFromEnv(process.env.SPEAR_AUDIT_TIMEOUT_MS);
  const outcome: AuditOutcome = args.report
    ? parseNpmAuditOutput(readFileSync(args.report, 'utf8'))
    : await runNpmAudit({ cwd: WORKSPACE_ROOT, timeoutMs, registry: process.env.SPEAR_AUDIT_REGISTRY || undefined });
  const decision = decide(outcome, entries, today, requireSource);
  // One stream, so the verdict stays in order with scripts/test.sh's own log lines.
  console.log(decision.text);
  return decision.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`dependency advisories: ${error instanceof AllowListError ? `bad allow-list: ${error.message}` : (error as Error).message}`);
    process.exit(2);
  },
);
