import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { AppName } from '@spear/config';
import { formatLogTails } from '../engines/log-tail';
import { hasExited, stopChild } from '../engines/stop-process';
import { waitForHttpOk } from './http-wait';

export interface ServiceProcessSpec {
  app: AppName;
  /** For spear: which node of the profile this process serves. */
  nodeId?: string;
  /** Log and display name (default: app, or app-nodeId). */
  name?: string;
  /** The process's HTTP base URL, e.g. http://127.0.0.1:8090 (its /healthz must answer 200). */
  baseUrl: string;
  /** Folder holding <app>/main.js bundles (dist/apps, or a release's folder layout). */
  distDir: string;
  profileDir: string;
  logDir: string;
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
  /** A limit on open files (soft and hard) for this process, set through util-linux `prlimit`. */
  openFiles?: number;
}

/** One running service of a cluster. */
export interface ServiceProcess {
  readonly app: AppName;
  readonly nodeId?: string;
  readonly name: string;
  readonly baseUrl: string;
  readonly pid: number;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** SIGTERM (graceful: unregister, then close), SIGKILL after the timeout. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

/**
 * Starts `node <distDir>/<app>/main.js` with the given profile and waits for
 * its /healthz; on failure the error carries the tail of its log.
 */
export async function startServiceProcess(spec: ServiceProcessSpec): Promise<ServiceProcess> {
  const name = spec.name ?? (spec.nodeId ? `${spec.app}-${spec.nodeId}` : spec.app);
  const logFile = join(spec.logDir, `${name}.log`);
  const out = openSync(logFile, 'a');
  const node = [process.execPath, ...serviceNodeFlags(), join(spec.distDir, spec.app, 'main.js')];
  // prlimit execs the command: the child's pid is the service's.
  const [command, ...args] = spec.openFiles === undefined ? node : ['prlimit', `--nofile=${spec.openFiles}:${spec.openFiles}`, '--', ...node];
  const child = spawn(command!, args, {
    env: { ...process.env, ...spec.env, SPEAR_PARENT_PID: String(process.pid), SPEAR_PROFILE: spec.profileDir, ...(spec.nodeId ? { SPEAR_NODE_ID: spec.nodeId } : {}) },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: ServiceProcess = {
    app: spec.app,
    nodeId: spec.nodeId,
    name,
    baseUrl: spec.baseUrl,
    pid: child.pid ?? -1,
    logFile,
    child,
    async stop(timeoutMs = 10_000) {
      await stopChild(child, timeoutMs);
    },
    async kill() {
      if (!hasExited(child)) child.kill('SIGKILL');
      await exited;
    },
  };
  try {
    await waitForHttpOk(`${spec.baseUrl}/healthz`, spec.startTimeoutMs ?? 60_000, () => !hasExited(child));
  } catch (error) {
    await handle.kill();
    throw new Error(`${name} did not start: ${(error as Error).message}\n${formatLogTails([logFile], 30)}`);
  }
  return handle;
}

/**
 * Node's flags for a service bundle, by the rule of a release's bin/start.sh:
 * - `--no-memory-reducer`, always: V8's memory reducer compacts the whole heap
 *   whenever no full GC happened for 100 s, to give memory back to the OS. A
 *   server under steady traffic always qualifies, and on a spear node with
 *   thousands of sockets that pause took 104–156 ms every ~100 s
 *   (docs/BENCHMARKS.md, "A full GC every 100 s"). It is a command-line flag
 *   only: the reducer is made when the heap is, and NODE_OPTIONS refuses it.
 * - `--enable-source-maps` only with SPEAR_SOURCE_MAPS=1 (it costs each
 *   process ~85 MiB of heap, docs/BENCHMARKS.md). A stack in the logs is
 *   mapped with a release's bin/map-stack.mjs, or by running with
 *   SPEAR_SOURCE_MAPS=1.
 * Tests and benches run the services as a release does.
 */
export function serviceNodeFlags(): string[] {
  return [...SERVICE_V8_FLAGS, ...(process.env.SPEAR_SOURCE_MAPS === '1' ? ['--enable-source-maps'] : [])];
}

/** The V8 flags of serviceNodeFlags that every service gets (the benches give them to the baselines too). */
export const SERVICE_V8_FLAGS: readonly string[] = ['--no-memory-reducer'];
