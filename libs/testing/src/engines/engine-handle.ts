import type { ChildProcess } from 'node:child_process';
import { untrackChild } from './child-registry';
import { removePidFile } from './pid-file';
import { DEFAULT_STOP_TIMEOUT_MS, stopChild } from './stop-process';
import type { EngineHandle, EngineName } from './types';

/** Fields of an {@link EngineHandle} other than pid and stop(). */
export interface EngineHandleInit {
  engine: EngineName;
  port: number;
  dir: string;
  logFile: string;
  stopTimeoutMs?: number;
}

/** Wraps a spawned engine in a handle whose stop() is bounded, idempotent and cleans the pid file. */
export function engineHandle(child: ChildProcess, init: EngineHandleInit): EngineHandle {
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    await stopChild(child, init.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
    untrackChild(child);
    removePidFile(init.dir, init.engine);
  };
  return {
    engine: init.engine,
    port: init.port,
    pid: child.pid as number,
    dir: init.dir,
    logFile: init.logFile,
    stop: () => (stopping ??= stop()),
  };
}
