/**
 * The measured steps of the comparison benches, the same for every system:
 * an open-loop ramp of offered rates that stops after the first saturated
 * step, and single steps at a fixed rate. Each step records the CPU of every
 * process of the system, of the load generators and of the engines (/proc),
 * and how busy the whole machine was, so a reader can tell the system's
 * limit from the machine's.
 */
import { machineBusyUs, procCpuUs } from '@spear/testing';
import { log } from '../rpc/measure';
import type { StepResult } from '../clients/client-fleet';
import { fmtLatencyMs } from '../clients/histogram';

export interface StepSettings {
  seconds: number;
  drainMs: number;
}

export interface MeasuredStep extends StepResult {
  /** Offered messages per second (for fan-out: publishes per second times members). */
  offered: number;
  /** CPUs used per process during the step and its drain (1 = one full CPU); `machine` is the whole box. */
  cpu: Record<string, number>;
  /** How long the step and its drain took, ms (what `cpu` is a share of). */
  wallMs: number;
  saturated: boolean;
  /** Event-loop delay p99 per gateway process during the step, ms (where measured). */
  eventLoopP99Ms?: Record<string, number>;
  /** Garbage collections per gateway process during the step, by kind (where measured). */
  gc?: Record<string, GcPauses>;
}

export interface RampResult {
  steps: MeasuredStep[];
  /** The highest delivered msgs/s of a step delivered in full (>= 95%) with p99 under the bound; 0 if none. */
  bestUnderP99: number;
  /** The highest delivered msgs/s of any step. */
  peak: number;
}

export const P99_BOUND_MS = 100;

/** Runs `run` while reading the CPU of `pids` around it. */
export async function withCpu<T>(pids: Record<string, number>, run: () => Promise<T>): Promise<{ result: T; cpu: Record<string, number>; wallMs: number }> {
  const before = Object.fromEntries(Object.entries(pids).map(([n, p]) => [n, procCpuUs(p)]));
  const busyBefore = machineBusyUs();
  const t0 = performance.now();
  const result = await run();
  const us = (performance.now() - t0) * 1000;
  const cpu: Record<string, number> = {};
  for (const [n, p] of Object.entries(pids)) cpu[n] = Math.round(((procCpuUs(p) - before[n]!) / us) * 100) / 100;
  cpu.machine = Math.round(((machineBusyUs() - busyBefore) / us) * 100) / 100;
  return { result, cpu, wallMs: Math.round(us / 1000) };
}

export const fmtCpu = (cpu: Record<string, number>) =>
  Object.entries(cpu)
    .map(([n, c]) => `${n} ${c}`)
    .join(', ');

function isSaturated(s: StepResult, offered: number): boolean {
  return s.deliveredPerSecond < offered * 0.9 || s.latency.p99 > 1000 || s.unsettled > 0 || s.undelivered > 0;
}

/** One step at `rate`; `members` is 1 for 1:1 traffic, the group size for fan-out. */
export async function measureStep(label: string, pids: Record<string, number>, rate: number, members: number, run: () => Promise<StepResult>): Promise<MeasuredStep> {
  const { result, cpu, wallMs } = await withCpu(pids, run);
  const offered = rate * members;
  const step: MeasuredStep = { ...result, offered, cpu, wallMs, saturated: isSaturated(result, offered) };
  const refused = Object.keys(result.refused).length > 0 ? `, refused ${JSON.stringify(result.refused)}` : '';
  log(
    `  ${label} ${rate}/s${members > 1 ? ` x ${members}` : ''}: delivered ${result.deliveredPerSecond}/s, ${fmtLatencyMs(result.latency)} (n=${result.latency.count}), ` +
      `sent ${result.sent}, acked ${result.acked}${refused}, unsettled ${result.unsettled}, undelivered ${result.undelivered}, lag ${result.maxLagMs} ms; CPUs ${fmtCpu(cpu)}${step.saturated ? ' SATURATED' : ''}`,
  );
  return step;
}

/** Steps through `rates` until one saturates (that one is kept too). */
export async function ramp(label: string, pids: Record<string, number>, rates: number[], members: number, run: (rate: number, k: number) => Promise<StepResult>): Promise<RampResult> {
  const steps: MeasuredStep[] = [];
  for (const [k, rate] of rates.entries()) {
    const step = await measureStep(label, pids, rate, members, () => run(rate, k));
    steps.push(step);
    if (step.saturated) break;
  }
  const good = steps.filter((s) => s.deliveredPerSecond >= s.offered * 0.95 && s.latency.p99 < P99_BOUND_MS && s.unsettled === 0 && s.undelivered === 0);
  return {
    steps,
    bestUnderP99: Math.max(0, ...good.map((s) => s.deliveredPerSecond)),
    peak: Math.max(0, ...steps.map((s) => s.deliveredPerSecond)),
  };
}

/** Of several runs of one step, the one of median p99 (the higher middle one of an even count). */
export function medianByP99(runs: MeasuredStep[]): MeasuredStep {
  if (runs.length === 0) throw new Error('medianByP99: no runs');
  return [...runs].sort((a, b) => a.latency.p99 - b.latency.p99)[Math.floor(runs.length / 2)]!;
}

/** Cumulative GC pause counts and seconds by kind, as prom-client's `nodejs_gc_duration_seconds` reports them. */
type GcTotals = Record<string, { count: number; seconds: number }>;

/** One scrape of a gateway process's /metrics: what the step readings below need. */
export interface NodeReading {
  /** Event-loop delay p99 since the previous scrape (prom-client resets that histogram on every scrape), ms. */
  eventLoopP99Ms: number;
  gc: GcTotals;
  /** 1:1 messages handed to live connections from their logs so far (hole repair: the bus lost them, or they were late past its wait); 0 for B0. */
  repaired: number;
}

/**
 * Scrapes every process's /metrics once. Take one reading before a step (it
 * also resets the event-loop histogram) and one after it; gcBetween() gives
 * the pauses in between.
 */
export async function readNodes(urls: Record<string, string> | undefined): Promise<Record<string, NodeReading>> {
  const out: Record<string, NodeReading> = {};
  for (const [name, url] of Object.entries(urls ?? {})) {
    const text = await (await fetch(url)).text();
    const seconds = /^\w*nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? ([\d.e+-]+)/m.exec(text)?.[1];
    const gc: GcTotals = {};
    for (const m of text.matchAll(/^\w*nodejs_gc_duration_seconds_(sum|count)\{[^}]*kind="(\w+)"[^}]*\} ([\d.e+-]+)/gm)) {
      const kind = (gc[m[2]!] ??= { count: 0, seconds: 0 });
      if (m[1] === 'sum') kind.seconds = Number(m[3]);
      else kind.count = Number(m[3]);
    }
    const repaired = Number(/^spear_messages_repaired_total ([\d.e+-]+)/m.exec(text)?.[1] ?? 0);
    out[name] = { eventLoopP99Ms: seconds === undefined ? NaN : Math.round(Number(seconds) * 100_000) / 100, gc, repaired };
  }
  return out;
}

/** Pauses of one kind of garbage collection: how many, and their mean and total length. */
export interface GcPauses {
  [kind: string]: { count: number; meanMs: number; totalMs: number };
}

/** The gateway processes of whichever system `pids` holds (Spear's nodes, or a baseline's two servers): what the benches profile. */
export function gatewayPids(pids: Record<string, number>): number[] {
  return ['spear', 'b0', 'b0s', 'b1'].flatMap((name) => [pids[`${name}-1`], pids[`${name}-2`]]).filter((p): p is number => p !== undefined);
}

/** Messages repaired (hole repair) on all nodes between two readings. */
export function repairedBetween(before: Record<string, NodeReading>, after: Record<string, NodeReading>): number {
  return Object.entries(after).reduce((sum, [name, { repaired }]) => sum + repaired - (before[name]?.repaired ?? 0), 0);
}

/** The GC pauses of each process between two readings. */
export function gcBetween(before: Record<string, NodeReading>, after: Record<string, NodeReading>): Record<string, GcPauses> {
  const out: Record<string, GcPauses> = {};
  for (const [name, { gc }] of Object.entries(after)) {
    const pauses: GcPauses = (out[name] = {});
    for (const [kind, { count, seconds }] of Object.entries(gc)) {
      const n = count - (before[name]?.gc[kind]?.count ?? 0);
      const ms = (seconds - (before[name]?.gc[kind]?.seconds ?? 0)) * 1000;
      if (n > 0) pauses[kind] = { count: n, meanMs: Math.round((ms / n) * 10) / 10, totalMs: Math.round(ms) };
    }
  }
  return out;
}
