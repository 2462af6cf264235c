import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FleetSend, FleetStatus, ToFleet } from './fleet-worker';

/**
 * Which clients a fleet holds:
 * - `sdk`: the real SDK (libs/client) in Node worker processes
 *   (test/support/fleet-worker.ts). Node's socket.io client costs ~2 ms of
 *   CPU per (re)connect, so on a 2-CPU machine thousands of them compete with
 *   the servers they test.
 * - `go`: the same protocol behaviour (ticket per connection, avoid, batched
 *   acks, dedupe by id) in a small Go program (test/support/fleet-go), at a
 *   fraction of that cost: for measuring the servers with 10,000 users.
 */
export type FleetKind = 'sdk' | 'go';

/** The subset of a child process the fleet talks to: requests in, one answer each, in order. */
interface FleetProcess {
  readonly pid?: number;
  send(request: ToFleet): unknown;
  kill(signal: NodeJS.Signals): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any -- Node's own listener type
  off(event: string, listener: (...args: any[]) => void): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any -- same
}

/** A fleet-go process: JSON lines on stdin, one JSON line per answer on stdout. */
class GoFleetProcess extends EventEmitter implements FleetProcess {
  constructor(private readonly child: ChildProcess) {
    super();
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.emit('message', JSON.parse(line));
      } catch {
        this.emit('message', { error: `fleet-go wrote a line that is not JSON: ${line.slice(0, 200)}` });
      }
    });
    child.on('exit', () => this.emit('exit'));
    child.on('error', () => this.emit('exit'));
    child.stdin!.on('error', () => undefined); // a dead child surfaces as 'exit'
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(request: ToFleet): void {
    this.child.stdin!.write(`${JSON.stringify(request)}\n`);
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/** Builds test/support/fleet-go once per test run (Go's build cache makes a rebuild quick). */
function goFleetBinary(): string {
  const outDir = join(__dirname, '../../.run/bin');
  mkdirSync(outDir, { recursive: true });
  const binary = join(outDir, 'spear-fleet');
  execFileSync('go', ['build', '-o', binary, '.'], { cwd: join(__dirname, 'fleet-go'), stdio: ['ignore', 'inherit', 'inherit'] });
  return binary;
}

/** Adds up per-process counts by key. */
function sumCounts(parts: Array<Record<string, number>>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const part of parts) for (const [key, n] of Object.entries(part)) total[key] = (total[key] ?? 0) + n;
  return total;
}

/** Several fleet processes holding clients, addressed as one. */
export class Fleet {
  private constructor(private readonly workers: FleetProcess[]) {}

  get pids(): number[] {
    return this.workers.map((w) => w.pid!);
  }

  static start(processes: number, kind: FleetKind = 'sdk'): Fleet {
    if (kind === 'go') {
      const binary = goFleetBinary();
      return new Fleet(Array.from({ length: processes }, () => new GoFleetProcess(spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] }))));
    }
    const workers = Array.from({ length: processes }, () => {
      const child = fork(join(__dirname, 'fleet-worker.ts'), [], { execArgv: ['--import', 'tsx', ...(process.env.SPEAR_FLEET_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SPEAR_FLEET_CPU_PROF}`] : [])], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('error', () => undefined);
      return child;
    });
    return new Fleet(workers);
  }

  /** Connects `users`, split evenly over the workers. */
  async connect(ticketUrl: string, users: Array<{ uid: string; token: string }>): Promise<void> {
    const share = Math.ceil(users.length / this.workers.length);
    await this.all((_, i) => ({ type: 'connect', ticketUrl, users: users.slice(i * share, (i + 1) * share) }));
  }

  /** Totals over the workers; with `node`, the clients on it at the first such call are watched (see FleetStatus). */
  async status(node?: string): Promise<FleetStatus> {
    const parts = await this.all<FleetStatus>(() => ({ type: 'status', node }));
    return {
      connected: parts.reduce((a, p) => a + p.connected, 0),
      byNode: sumCounts(parts.map((p) => p.byNode)),
      movedAt: parts.flatMap((p) => p.movedAt),
      attempts: parts.reduce((a, p) => a + p.attempts, 0),
      failures: sumCounts(parts.map((p) => p.failures)),
    };
  }

  async startTraffic(sendersPerWorker: number, intervalMs: number, targets: string[]): Promise<void> {
    await this.all(() => ({ type: 'traffic', senders: sendersPerWorker, intervalMs, targets }));
  }

  async stopTraffic(): Promise<FleetSend[]> {
    return (await this.all<{ sends: FleetSend[] }>(() => ({ type: 'stop-traffic' }))).flatMap((p) => p.sends);
  }

  /** uid -> message ids received. */
  async received(): Promise<Map<string, Set<string>>> {
    const parts = await this.all<{ received: Record<string, string[]> }>(() => ({ type: 'received' }));
    return new Map(parts.flatMap((p) => Object.entries(p.received).map(([uid, ids]) => [uid, new Set(ids)] as const)));
  }

  stop(): void {
    // SIGTERM first: a profiled worker (SPEAR_FLEET_CPU_PROF) writes its profile on a normal exit.
    for (const w of this.workers) w.kill('SIGTERM');
  }

  private all<T = unknown>(request: (worker: FleetProcess, i: number) => ToFleet): Promise<T[]> {
    return Promise.all(
      this.workers.map(
        (w, i) =>
          new Promise<T>((resolve, reject) => {
            const onExit = () => reject(new Error('fleet worker exited'));
            w.once('exit', onExit);
            w.once('message', (m: T & { error?: string }) => {
              w.off('exit', onExit);
              if (m.error) reject(new Error(m.error));
              else resolve(m);
            });
            w.send(request(w, i));
          }),
      ),
    );
  }
}
