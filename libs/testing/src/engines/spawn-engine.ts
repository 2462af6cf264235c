import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { trackChild } from './child-registry';
import { installHint } from './paths';
import { writePidFile } from './pid-file';
import type { EngineName } from './types';

/** What {@link spawnEngine} runs. */
export interface SpawnEngineOptions {
  engine: EngineName;
  command: string;
  args: string[];
  dir: string;
  detached?: boolean;
}

/** `<dir>/<engine>.out`: the engine's stdout and stderr (JVM crashes land here). */
export function consoleFile(dir: string, engine: EngineName): string {
  return join(dir, `${engine}.out`);
}

/**
 * Spawns an engine with stdout/stderr appended to `<dir>/<engine>.out`, writes
 * `<dir>/<engine>.pid`, and resolves once the OS started it. Output goes to a file
 * rather than a pipe so nobody has to drain it and a detached engine keeps logging
 * after we exit. Non-detached engines are tracked and killed when we exit.
 */
export async function spawnEngine(options: SpawnEngineOptions): Promise<ChildProcess> {
  const { engine, command, args, dir, detached = false } = options;
  mkdirSync(dir, { recursive: true });
  const out = openSync(consoleFile(dir, engine), 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: dir, detached, stdio: ['ignore', out, out] });
  } finally {
    // The child got its own copy of the descriptor during spawn().
    closeSync(out);
  }
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new Error(`${engine}: '${command}' not found; ${installHint()}`)
          : new Error(`${engine}: could not start '${command}': ${err.message}`),
      ),
    );
  });
  // Later errors (e.g. a failed kill) must not crash the process as unhandled events.
  child.on('error', () => undefined);
  if (detached) child.unref();
  else trackChild(child);
  writePidFile(dir, engine, child.pid as number);
  return child;
}
