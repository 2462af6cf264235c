import { spawnSync } from 'node:child_process';

/** How long one promtool run may take: they read a few small files, so more means something hangs. */
const PROMTOOL_TIMEOUT_MS = 60_000;

/** What one promtool run said. */
export interface PromtoolResult {
  ok: boolean;
  /** The command as a person would type it, for the log. */
  command: string;
  /** stdout and stderr together, trimmed. */
  output: string;
}

/**
 * Runs `promtool <args>` in `cwd` (Debian's `prometheus` package ships it;
 * scripts/install-engines.sh installs it). Guarantee: returns within about
 * PROMTOOL_TIMEOUT_MS and never throws; a missing promtool is a failed
 * result that says how to install it.
 */
export function promtool(args: string[], cwd: string): PromtoolResult {
  const command = `promtool ${args.join(' ')}`;
  const run = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: PROMTOOL_TIMEOUT_MS, killSignal: 'SIGKILL' });
  if (run.error) {
    const missing = (run.error as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, command, output: missing ? 'promtool not found: run bash scripts/install-engines.sh (Debian package prometheus)' : `promtool did not finish: ${run.error.message}` };
  }
  return { ok: run.status === 0, command, output: `${run.stdout}${run.stderr}`.trim() };
}
