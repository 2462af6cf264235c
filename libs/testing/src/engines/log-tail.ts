import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

const TAIL_BYTES = 16 * 1024;

/** Last `lines` lines of a file, or '' when it does not exist (yet). */
export function tailFile(path: string, lines = 40): string {
  if (!existsSync(path)) return '';
  const fd = openSync(path, 'r');
  try {
    // Read only the end: engine logs can be large and we want the failure, not the banner.
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

/** The tails of several logs, each under a header, for error messages. */
export function formatLogTails(paths: string[], lines = 40): string {
  return paths
    .map((path) => [path, tailFile(path, lines)] as const)
    .filter(([, text]) => text.length > 0)
    .map(([path, text]) => `--- last lines of ${path} ---\n${text}`)
    .join('\n');
}
