import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sleep } from './sleep';

/** Grace period after SIGTERM before SIGKILL. Kafka's clean shutdown is the slowest. */
export const DEFAULT_STOP_TIMEOUT_MS = 15_000;
const KILL_WAIT_MS = 5_000;

/**
 * Stops a child we spawned: SIGTERM, wait up to `timeoutMs`, then SIGKILL.
 * Resolves once the child has exited; throws if even SIGKILL did not end it.
 */
export async function stopChild(child: ChildProcess, timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  if (await settlesWithin(exited, timeoutMs)) return;
  child.kill('SIGKILL');
  if (await settlesWithin(exited, KILL_WAIT_MS)) return;
  throw new Error(`process ${child.pid} did not exit after SIGKILL`);
}

/**
 * Stops a process that may not be our child (e.g. found in a pid file): SIGTERM,
 * poll until gone, then SIGKILL. Returns false when it was not running.
 */
export async function stopPid(pid: number, timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<boolean> {
  if (!isAlive(pid)) return false;
  sendSignal(pid, 'SIGTERM');
  if (await diesWithin(pid, timeoutMs)) return true;
  sendSignal(pid, 'SIGKILL');
  if (await diesWithin(pid, KILL_WAIT_MS)) return true;
  throw new Error(`process ${pid} did not exit after SIGKILL`);
}

/** True while `pid` runs. Zombies count as dead: they hold no ports and cannot be killed. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** True once the child has exited or died from a signal. */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function isZombie(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces, so split after ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false; // No /proc (not Linux) or already gone; kill(0) above decided.
  }
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

async function diesWithin(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

async function settlesWithin(promise: Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
