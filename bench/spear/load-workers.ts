/**
 * The parent side of bench/spear/load-worker.ts: one forked child per
 * Worker, one request and one answer at a time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FromWorker, ToWorker } from './load-worker';

export class Worker {
  private readonly waiting: Array<(m: FromWorker) => void> = [];
  readonly exited: Promise<void>;
  private exitedWith?: string;

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitedWith = `load worker ${child.pid} exited (${signal ?? code})`;
        for (const w of this.waiting.splice(0)) w({ type: 'error', message: this.exitedWith });
        resolve();
      }),
    );
    child.on('error', () => undefined); // a send on a channel that just closed
    child.on('message', (m: FromWorker) => this.waiting.shift()?.(m));
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(): Promise<Worker> {
    const child = fork(join(__dirname, 'load-worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    const worker = new Worker(child);
    const first = await worker.next();
    if (first.type !== 'ready') {
      await worker.stop();
      throw new Error(`load worker did not start: ${first.type === 'error' ? first.message : first.type}`);
    }
    return worker;
  }

  private next(): Promise<FromWorker> {
    if (this.exitedWith) return Promise.resolve({ type: 'error', message: this.exitedWith });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** One request, one answer of the expected type (an `error` answer throws). */
  async request<T extends FromWorker['type']>(m: ToWorker, type: T): Promise<Extract<FromWorker, { type: T }>> {
    const reply = this.next();
    this.child.send(m);
    const answer = await reply;
    if (answer.type === 'error') throw new Error(`load worker ${this.pid}: ${answer.message}`);
    if (answer.type !== type) throw new Error(`load worker ${this.pid} answered ${answer.type}, expected ${type}`);
    return answer as Extract<FromWorker, { type: T }>;
  }

  /** Asks it to close its sockets and exit; SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToWorker);
    else this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

