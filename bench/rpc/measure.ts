/**
 * Small measuring helpers shared by the RPC and idgen benches: a latency
 * recorder (all samples kept, percentiles from a sorted copy), a sequential
 * and a concurrent call loop, and the machine facts printed with each run.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, constants, cpus, loadavg } from 'node:os';

let interrupted = false;

/** Throws once a signal asked the bench to stop, so that the measuring loops end. */
export function checkInterrupted(): void {
  if (interrupted) throw new Interrupted();
}

export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor() {
    super('interrupted by a signal');
  }
}

/** Every sample in milliseconds; percentiles by nearest rank on a sorted copy. */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  private n = 0;

  get count(): number {
    return this.n;
  }

  add(ms: number): void {
    if (this.n === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.n++] = ms;
  }

  /** Adds every sample of another recorder (e.g. to pool rounds). */
  merge(other: LatencyRecorder): void {
    for (let i = 0; i < other.n; i++) this.add(other.samples[i]!);
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.n).sort();
    const at = (p: number) => (this.n === 0 ? NaN : sorted[Math.min(this.n - 1, Math.max(0, Math.ceil(p * this.n) - 1))]!);
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += sorted[i]!;
    return { count: this.n, meanUs: us((sum / this.n) || NaN), p50Us: us(at(0.5)), p90Us: us(at(0.9)), p99Us: us(at(0.99)), p999Us: us(at(0.999)), maxUs: us(at(1)) };
  }
}

export interface LatencySummary {
  count: number;
  meanUs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
}

const us = (ms: number) => Math.round(ms * 1000 * 10) / 10;

export const fmtLatency = (s: LatencySummary) => `p50 ${s.p50Us} µs, p90 ${s.p90Us} µs, p99 ${s.p99Us} µs, p99.9 ${s.p999Us} µs, max ${s.maxUs} µs (n=${s.count})`;
export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
export const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
export const log = (line: string) => process.stdout.write(`${line}\n`);

/** CPU time this process used so far (user + system), in microseconds. */
export const ownCpu = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** `calls` sequential calls, each timed. */
export async function sequential(name: string, calls: number, call: () => Promise<unknown>, recorder = new LatencyRecorder()): Promise<LatencyRecorder> {
  const every = Math.max(1, Math.floor(calls / 4));
  for (let i = 1; i <= calls; i++) {
    checkInterrupted();
    const t0 = performance.now();
    await call();
    recorder.add(performance.now() - t0);
    if (i % every === 0) log(`    ${name}: ${fmtInt(i)} / ${fmtInt(calls)} sequential calls`);
  }
  return recorder;
}

export interface ThroughputResult {
  calls: number;
  errors: number;
  ms: number;
  perSecond: number;
  latency: LatencyRecorder;
}

/** `concurrency` loops, each awaiting one call after another, for `seconds`. */
export async function concurrent(name: string, seconds: number, concurrency: number, call: () => Promise<unknown>): Promise<ThroughputResult> {
  const latency = new LatencyRecorder();
  let calls = 0;
  let errors = 0;
  let firstError: unknown;
  const start = performance.now();
  const end = start + seconds * 1000;
  const progress = setInterval(() => log(`    ${name}: ${((performance.now() - start) / 1000).toFixed(0)} s, ${fmtInt(calls)} calls`), 1000);
  const loop = async () => {
    while (performance.now() < end && !interrupted) {
      const t0 = performance.now();
      try {
        await call();
        latency.add(performance.now() - t0);
        calls++;
      } catch (error) {
        errors++;
        firstError ??= error;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, loop));
  } finally {
    clearInterval(progress);
  }
  checkInterrupted();
  const ms = performance.now() - start;
  if (errors > 0) log(`    ${name}: ${errors} calls failed, first: ${String(firstError)}`);
  return { calls, errors, ms, perSecond: (calls / ms) * 1000, latency };
}

/** The facts that go next to every figure: the VM is shared, so load matters. */
export function machineFacts() {
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? '?',
    node: process.version,
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
    commit,
  };
}

export const fmtMachine = (m: ReturnType<typeof machineFacts>) => `${m.date}, node ${m.node}, nproc ${m.nproc} (${m.cpu}), load average ${m.loadavg.join(' ')}, commit ${m.commit}`;

/** Waits for `work` at most `ms` (a close that hangs on a dead engine must not hang the bench). */
export async function bounded(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.resolve(work).catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * Makes `cleanup` run once: when the bench ends (call the returned function)
 * or on SIGINT/SIGTERM/SIGHUP, after which the process exits. With a listener
 * of ours, @spear/testing's own signal hook (which kills the engines at once)
 * no longer re-raises the signal, so the temp dir is removed too.
 */
export function cleanupOnce(cleanup: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  const run = () => (running ??= cleanup());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // `on`, not `once`: the testing hook re-raises the signal (killing us mid-cleanup) when it finds no other listener.
    process.on(signal, () => {
      if (!interrupted) log(`${signal}: stopping everything this bench started`);
      interrupted = true;
      void run().finally(() => process.exit(128 + constants.signals[signal]));
    });
  }
  return run;
}

// CPU and memory of other processes, from /proc: shared with the tests.
export { machineBusyUs, procCpuUs } from '@spear/testing';
