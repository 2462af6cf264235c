/**
 * The parent side of a bench child process forked with IPC that answers each
 * request with one message: one request in flight at a time, replies matched
 * in order. The child's first message must be `{type: 'ready'}`; an
 * `{type: 'error', message}` reply throws. If the child exits, every waiting
 * request fails with that exit.
 */
import { fork, type ChildProcess } from 'node:child_process';

type Reply = { type: string; message?: string };

export class IpcChild<To extends object, From extends Reply> {
  private readonly waiting: Array<(m: From | Reply) => void> = [];
  readonly exited: Promise<void>;
  private exitedWith?: string;

  private constructor(
    readonly child: ChildProcess,
    private readonly name: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitedWith = `${name} ${child.pid} exited (${signal ?? code})`;
        for (const w of this.waiting.splice(0)) w({ type: 'error', message: this.exitedWith });
        resolve();
      }),
    );
    child.on('error', () => undefined); // a send on a channel that just closed
    child.on('message', (m: From) => this.waiting.shift()?.(m));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Forks a TypeScript file (run with tsx, and `nodeFlags`) and waits for its `ready`. */
  static async start<To extends object, From extends Reply>(file: string, name: string, env: Record<string, string> = {}, nodeFlags: readonly string[] = []): Promise<IpcChild<To, From>> {
    const child = fork(file, [], { execArgv: [...nodeFlags, '--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    const c = new IpcChild<To, From>(child, name);
    const first = await c.next();
    if (first.type !== 'ready') {
      await c.stop();
      throw new Error(`${name} did not start: ${first.message ?? first.type}`);
    }
    return c;
  }

  private next(): Promise<From | Reply> {
    if (this.exitedWith) return Promise.resolve({ type: 'error', message: this.exitedWith });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** One request, one answer of the expected type. */
  async request<T extends From['type']>(m: To, type: T): Promise<Extract<From, { type: T }>> {
    const reply = this.next();
    this.child.send(m);
    const answer = await reply;
    if (answer.type === 'error') throw new Error(`${this.name} ${this.pid}: ${answer.message}`);
    if (answer.type !== type) throw new Error(`${this.name} ${this.pid} answered ${answer.type}, expected ${type}`);
    return answer as Extract<From, { type: T }>;
  }

  /** Sends `{type: 'stop'}` (or SIGTERM without a channel) and waits for the exit; SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'stop' });
    else this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
