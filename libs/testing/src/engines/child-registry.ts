import type { ChildProcess } from 'node:child_process';

/** Non-detached engine processes that must not outlive this process. */
const children = new Set<ChildProcess>();
let hooksInstalled = false;

/** Registers an engine child so it is SIGKILLed if this process exits first. */
export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  installHooks();
}

/** Forgets a child, e.g. after it was stopped on purpose. */
export function untrackChild(child: ChildProcess): void {
  children.delete(child);
}

function killAll(): void {
  // SIGKILL, not SIGTERM: on 'exit' we cannot wait, and a JVM in shutdown could linger.
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  // A signal skips 'exit' handlers, so handle the usual ones too. A listener replaces
  // Node's default "die on signal", so when we are the only listener we re-raise the
  // signal after cleaning up to keep that default.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
