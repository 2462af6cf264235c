/**
 * Runs `npm audit --json` on a lockfile, bounded in time. npm sends the lockfile's names and
 * versions to the registry's bulk advisory endpoint (GitHub's advisory database behind it).
 */
import { execFile } from 'node:child_process';
import { parseNpmAuditOutput, type AuditOutcome } from './npm-audit-report';

export interface NpmAuditOptions {
  /** The folder holding package.json and package-lock.json. */
  cwd: string;
  /** Hard limit for the whole run: npm is killed past it and the source counts as unreachable. */
  timeoutMs: number;
  /** Another registry that serves the advisory endpoint (a mirror); npm's configured one when absent. */
  registry?: string;
  env?: NodeJS.ProcessEnv;
}

/** Guarantee: settles within about timeoutMs, never rejects, and never reports "no findings" unless npm printed a report. */
export function runNpmAudit(options: NpmAuditOptions): Promise<AuditOutcome> {
  const args = [
    'audit',
    '--json',
    // The lockfile as committed, not whatever node_modules happens to hold.
    '--package-lock-only',
    // npm's own limits sit inside ours, so a slow endpoint usually ends as npm's error, with its words.
    `--fetch-timeout=${Math.max(1_000, options.timeoutMs - 5_000)}`,
    '--fetch-retries=1',
    ...(options.registry ? [`--registry=${options.registry}`] : []),
  ];
  return new Promise((resolve) => {
    execFile(
      'npm',
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && (error.killed || error.signal)) {
          resolve({ kind: 'unreachable', reason: `npm audit did not finish within ${options.timeoutMs} ms (killed)` });
          return;
        }
        if (error && typeof error.code === 'string') {
          resolve({ kind: 'unreachable', reason: `npm audit could not start: ${error.message}` });
          return;
        }
        // npm exits 1 both when it found advisories and when the endpoint failed: the JSON says which.
        const outcome = parseNpmAuditOutput(stdout);
        if (outcome.kind === 'unreachable' && !stdout.trim() && stderr.trim()) {
          resolve({ kind: 'unreachable', reason: `npm audit printed no JSON; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
          return;
        }
        resolve(outcome);
      },
    );
  });
}
