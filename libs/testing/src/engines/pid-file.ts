import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineName } from './types';
import { DEFAULT_STOP_TIMEOUT_MS, isAlive, stopPid } from './stop-process';

/**
 * A string each engine's /proc/<pid>/cmdline contains. Checked before killing a pid
 * from a file, because after a reboot or crash the pid may belong to something else.
 */
const CMDLINE_MARKERS: Record<EngineName, string> = {
  zookeeper: 'QuorumPeerMain',
  redis: 'redis-server',
  kafka: 'kafka.Kafka',
};

/** `<dir>/<engine>.pid`. */
export function pidFilePath(dir: string, engine: EngineName): string {
  return join(dir, `${engine}.pid`);
}

/** Records an engine's pid so a later process can stop it. */
export function writePidFile(dir: string, engine: EngineName, pid: number): void {
  writeFileSync(pidFilePath(dir, engine), `${pid}\n`);
}

/** The pid in `<dir>/<engine>.pid`, or null when there is no usable file. */
export function readPidFile(dir: string, engine: EngineName): number | null {
  try {
    const pid = Number.parseInt(readFileSync(pidFilePath(dir, engine), 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Deletes `<dir>/<engine>.pid` if present. */
export function removePidFile(dir: string, engine: EngineName): void {
  rmSync(pidFilePath(dir, engine), { force: true });
}

/** True when the pid file names a live process that is really this engine. */
export function isEngineRunning(dir: string, engine: EngineName): boolean {
  const pid = readPidFile(dir, engine);
  return pid !== null && isAlive(pid) && cmdlineMatches(pid, engine);
}

/**
 * Stops the engine recorded in `<dir>/<engine>.pid` (e.g. one a CLI started detached)
 * and removes the pid file. Returns true if a running engine was stopped.
 */
export async function stopByPidFile(
  dir: string,
  engine: EngineName,
  timeoutMs = DEFAULT_STOP_TIMEOUT_MS,
): Promise<boolean> {
  const pid = readPidFile(dir, engine);
  const stopped = pid !== null && isAlive(pid) && cmdlineMatches(pid, engine) && (await stopPid(pid, timeoutMs));
  removePidFile(dir, engine);
  return stopped;
}

function cmdlineMatches(pid: number, engine: EngineName): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(CMDLINE_MARKERS[engine]);
  } catch {
    return true; // No /proc to check (not Linux): trust the pid file.
  }
}
