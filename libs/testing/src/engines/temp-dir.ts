import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder under the OS temp dir, e.g. for one test's engine data. */
export function makeTempDir(prefix = 'spear-engine-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Deletes a folder made by {@link makeTempDir}; stop its engine first. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
