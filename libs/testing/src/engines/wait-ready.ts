import type { ChildProcess } from 'node:child_process';
import { formatLogTails } from './log-tail';
import { sleep } from './sleep';
import { hasExited } from './stop-process';

/** What {@link waitReady} polls. */
export interface WaitReadyOptions {
  /** Used in error messages, e.g. "ZooKeeper on 127.0.0.1:2181". */
  what: string;
  child: ChildProcess;
  /** Resolves true once the engine answers; must not throw or hang. */
  probe: () => Promise<boolean>;
  timeoutMs: number;
  /** Logs whose tails explain a failure. */
  logFiles: string[];
  /** Stops the process and removes its pid file; called before any failure is thrown. */
  cleanup: () => Promise<void>;
  intervalMs?: number;
}

/**
 * Polls `probe` until it succeeds. Fails fast if the process exits and fails after
 * `timeoutMs` otherwise; either way `cleanup` runs first so a failed start leaves no
 * process or pid file behind, and the error carries the log tails.
 */
export async function waitReady(options: WaitReadyOptions): Promise<void> {
  const { what, child, probe, timeoutMs, logFiles, cleanup, intervalMs = 200 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited(child)) {
      const how = child.signalCode ? `signal ${child.signalCode}` : `code ${child.exitCode}`;
      await cleanup();
      throw new Error(`${what} exited with ${how} before it was ready\n${formatLogTails(logFiles)}`);
    }
    if (await probe()) return;
    if (Date.now() >= deadline) {
      await cleanup();
      throw new Error(`${what} was not ready after ${timeoutMs} ms\n${formatLogTails(logFiles)}`);
    }
    await sleep(intervalMs);
  }
}
