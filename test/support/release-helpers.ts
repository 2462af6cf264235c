import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** The workspace root, from this file (test/support). */
export const REPO_ROOT = resolve(__dirname, '../..');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion (`input`, if given, on its stdin) and collects its output. Resolving on 'close'
 * (all pipes shut) also proves start.sh leaves no daemon holding its stdout.
 */
export function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number; input?: string }): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined); // a command that exits without reading its input: its exit code tells
    child.stdin.end(options.input ?? ''); // none: end of input at once
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** The parent's environment without any SPEAR_* variable, so a developer's shell cannot leak into a test. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPEAR_')));
  return { ...env, ...extra };
}

/** Runs the release tool as Nx does (`node tools/release/release.mjs ...`). */
export function runReleaseTool(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<RunResult> {
  return run(process.execPath, [join(REPO_ROOT, 'tools/release/release.mjs'), ...args], { cwd: REPO_ROOT, env });
}

/** One line of a release's config/instances. */
export interface ReleaseInstance {
  name: string;
  host: string;
  port: number;
  nodeId?: string;
}

export function readInstances(releaseDir: string): ReleaseInstance[] {
  return readFileSync(join(releaseDir, 'config/instances'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const [name, host, port, nodeId] = l.trim().split(/\s+/);
      return { name: name!, host: host!, port: Number(port), ...(nodeId ? { nodeId } : {}) };
    });
}

/** Throws naming the port when something listens on 127.0.0.1:port (the test1 ports are fixed). */
export function assertPortFree(port: number, what: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`${what}: port 127.0.0.1:${port} is not free (${err.code ?? err.message}); stop whatever uses it`)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise()));
  });
}


/** The pid in a release's run/<name>.pid. */
export function readPid(releaseDir: string, name: string): number {
  return Number(readFileSync(join(releaseDir, 'run', `${name}.pid`), 'utf8').trim());
}
