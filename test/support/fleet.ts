import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FleetSend, FleetStatus, ToFleet } from './fleet-worker';

/** Several fleet-worker processes holding SDK clients, addressed as one. */
export class Fleet {
  private constructor(private readonly workers: ChildProcess[]) {}

  get pids(): number[] {
    return this.workers.map((w) => w.pid!);
  }

  static start(processes: number): Fleet {
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
    const byNode: Record<string, number> = {};
    for (const p of parts) for (const [n, c] of Object.entries(p.byNode)) byNode[n] = (byNode[n] ?? 0) + c;
    const failures: Record<string, number> = {};
    for (const p of parts) for (const [code, c] of Object.entries(p.failures)) failures[code] = (failures[code] ?? 0) + c;
    return { connected: parts.reduce((a, p) => a + p.connected, 0), byNode, movedAt: parts.flatMap((p) => p.movedAt), attempts: parts.reduce((a, p) => a + p.attempts, 0), failures };
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

  private all<T = unknown>(request: (worker: ChildProcess, i: number) => ToFleet): Promise<T[]> {
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
