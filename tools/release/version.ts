import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The release's version: the workspace package version plus the git commit as
 * build metadata, e.g. `0.1.0+g2a99709` (`.dirty` when tracked files differ
 * from that commit), so a running service can be traced back to its source.
 */
export function releaseVersion(root: string): string {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return `${version}+g${commit}${dirty ? '.dirty' : ''}`;
  } catch {
    // Not a git checkout (e.g. a source tarball): the package version alone.
    return version;
  }
}
