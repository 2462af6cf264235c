/**
 * Where benches leave what they measured: `.run/bench/` at the workspace root
 * (git-ignored), one file per run named after the bench and the time it
 * started, so that running a bench never dirties the work tree. Only an
 * explicit `--update-docs` (bench/compare/run.ts) writes under docs/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const WORKSPACE_ROOT = resolve(__dirname, '../..');
export const RUN_RESULTS_DIR = join(WORKSPACE_ROOT, '.run', 'bench');

/** Writes `.run/bench/<name>-<start, UTC, e.g. 20261122T182237Z>.<ext>`; returns its path relative to the workspace root. */
export function writeRunResult(name: string, startedAt: string, ext: 'json' | 'md', content: string): string {
  mkdirSync(RUN_RESULTS_DIR, { recursive: true });
  const stamp = startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const file = join(RUN_RESULTS_DIR, `${name}-${stamp}.${ext}`);
  writeFileSync(file, content.endsWith('\n') ? content : `${content}\n`);
  return relative(WORKSPACE_ROOT, file);
}
