/**
 * The two servers bench/ticket/tickets.bench.ts loads: the ticket bundle
 * (optionally under --cpu-prof) and the hello-world child, each with a stop().
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { serviceNodeFlags, startServiceProcess, waitForHttpOk, WORKSPACE_DIST } from '@spear/testing';
import type { FromHello, ToHello } from './hello-server';

/** A server the bench loads. */
export interface Proc {
  pid: number;
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the ticket bundle as startServiceProcess does; with `cpuProfDir`,
 * spawns it itself with --cpu-prof (not allowed in NODE_OPTIONS).
 */
export async function startTicket(profileDir: string, logDir: string, baseUrl: string, cpuProfDir?: string): Promise<Proc> {
  if (!cpuProfDir) {
    const service = await startServiceProcess({ app: 'ticket', baseUrl, distDir: WORKSPACE_DIST, profileDir, logDir });
    return { pid: service.pid, baseUrl, stop: () => service.stop() };
  }
  const out = openSync(join(logDir, 'ticket.log'), 'a');
  const child = spawn(process.execPath, [...serviceNodeFlags(), '--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, join(WORKSPACE_DIST, 'ticket', 'main.js')], {
    env: { ...process.env, SPEAR_PARENT_PID: String(process.pid), SPEAR_PROFILE: profileDir },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const stop = () => stopChild(child, 10_000);
  try {
    await waitForHttpOk(`${baseUrl}/healthz`, 30_000, () => child.exitCode === null && child.signalCode === null);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid!, baseUrl, stop };
}

/** SIGTERM (or `graceful`), then SIGKILL after `ms`; resolves once it exited. */
async function stopChild(child: ChildProcess, ms: number, graceful: () => void = () => child.kill('SIGTERM')): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  graceful();
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

/** Forks hello-server.ts (the same HTTP stack, one route); with `cpuProfDir`, under --cpu-prof. */
export async function startHello(cpuProfDir?: string): Promise<Proc> {
  const execArgv = ['--import', 'tsx', ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])];
  const child = fork(join(__dirname, 'hello-server.ts'), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('error', () => undefined); // a send on a channel that just closed
  const stop = () => stopChild(child, 10_000, () => (child.connected ? child.send({ type: 'stop' } satisfies ToHello) : child.kill('SIGTERM')));
  const first = await new Promise<FromHello>((done) => {
    child.once('message', (m: FromHello) => done(m));
    child.once('exit', () => done({ type: 'error', message: 'hello server exited before it was ready' }));
  });
  if (first.type !== 'ready') {
    await stop();
    throw new Error(`hello server did not start: ${first.message}`);
  }
  return { pid: child.pid!, baseUrl: `http://127.0.0.1:${first.port}`, stop };
}

