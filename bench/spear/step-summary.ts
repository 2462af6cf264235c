/**
 * How bench/spear/cross-node.bench.ts turns its load workers' reports into one
 * step's figures: merged latencies and counts, CPU shares per process (and
 * what other tenants used), and whether the step saturated.
 */
import { availableParallelism } from 'node:os';
import { LatencyRecorder, type LatencySummary } from '../rpc/measure';
import type { StepReport, VerifyReport } from './load-protocol';

/** Keys of a CPU record that are not one of the bench's processes. */
const NOT_A_PROCESS = new Set(['machine', 'others']);

export const ms = (us: number) => Math.round(us / 10) / 100;
export const fmtMs = (us: number) => `${ms(us).toFixed(2)} ms`;

export interface Procs {
  [name: string]: number;
}

export interface StepResult {
  offered: number;
  seconds: number;
  sent: number;
  acked: number;
  refused: Record<string, number>;
  /** Received per second in the window's steady part (after its first second). */
  deliveredPerSecond: number;
  /** Received within the whole window, per second. */
  receivedInWindowPerSecond: number;
  ackedPerSecond: number;
  latency: LatencySummary;
  ackLatency: LatencySummary;
  unsettled: number;
  undelivered: number;
  drainMs: number;
  maxLagMs: number;
  /** Share of one CPU each process used during the window (1 = one core busy). */
  cpu: Record<string, number>;
  /** CPU µs each process spent per message received in the window (less sensitive to a busy machine than msgs/s). */
  cpuUsPerMessage: Record<string, number>;
  busiest: string;
  saturated: boolean;
}

/**
 * Share of one CPU each process used between two readings; `machine` is how
 * many CPUs were busy in all, `others` the part of that no process of this
 * bench used (other tenants of a shared machine).
 */
export function cpuShares(before: Procs, after: Procs, wallMs: number): Record<string, number> {
  const out: Record<string, number> = {};
  const share = (us: number) => us / 1000 / wallMs;
  let ours = 0;
  for (const name of Object.keys(before)) {
    const v = share(after[name]! - before[name]!);
    if (name !== 'machine') ours += v;
    out[name] = Math.round(v * 100) / 100;
  }
  out.others = Math.round(Math.max(0, share(after.machine! - before.machine!) - ours) * 100) / 100;
  return out;
}

export const fmtCpu = (s: { cpu: Record<string, number>; cpuUsPerMessage?: Record<string, number> }) =>
  Object.entries(s.cpu)
    .filter(([k, v]) => v >= 0.01 && !NOT_A_PROCESS.has(k))
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${Math.round(v * 100)}%${s.cpuUsPerMessage ? ` (${s.cpuUsPerMessage[k]} µs/msg)` : ''}`)
    .join(', ') + `; machine ${s.cpu.machine!.toFixed(2)} of ${availableParallelism()} CPUs busy, ${s.cpu.others!.toFixed(2)} by other processes`;

export function summarizeStep(offered: number, seconds: number, reports: StepReport[], cpu: Record<string, number>, wallMs: number): StepResult {
  const latency = new LatencyRecorder();
  const ackLatency = new LatencyRecorder();
  const refused: Record<string, number> = {};
  let sent = 0;
  let acked = 0;
  let receivedInWindow = 0;
  let receivedSteady = 0;
  let steadyMs = 0;
  let ackedInWindow = 0;
  let unsettled = 0;
  let undelivered = 0;
  let drainMs = 0;
  let maxLagMs = 0;
  for (const rep of reports) {
    for (const v of rep.latency) latency.add(v);
    for (const v of rep.ackLatency) ackLatency.add(v);
    for (const [code, n] of Object.entries(rep.refused)) refused[code] = (refused[code] ?? 0) + n;
    sent += rep.sent;
    acked += rep.acked;
    receivedInWindow += rep.receivedInWindow;
    receivedSteady += rep.receivedSteady;
    steadyMs = rep.steadyMs;
    ackedInWindow += rep.ackedInWindow;
    unsettled += rep.unsettled;
    undelivered += rep.undelivered;
    drainMs = Math.max(drainMs, rep.drainMs);
    maxLagMs = Math.max(maxLagMs, rep.maxLagMs);
  }
  const l = latency.summary();
  const deliveredPerSecond = Math.round((receivedSteady / steadyMs) * 1000);
  const busiest = Object.entries(cpu).filter(([k]) => !NOT_A_PROCESS.has(k)).sort((a, b) => b[1] - a[1])[0]?.[0] ?? '?';
  const saturated = deliveredPerSecond < 0.9 * offered || ms(l.p99Us) > 1000 || unsettled > 0 || undelivered > 0;
  return {
    offered,
    seconds,
    sent,
    acked,
    refused,
    deliveredPerSecond,
    receivedInWindowPerSecond: Math.round(receivedInWindow / seconds),
    ackedPerSecond: Math.round(ackedInWindow / seconds),
    latency: l,
    ackLatency: ackLatency.summary(),
    unsettled,
    undelivered,
    drainMs,
    maxLagMs,
    cpu,
    cpuUsPerMessage: Object.fromEntries(Object.entries(cpu).filter(([k]) => k !== 'machine').map(([k, v]) => [k, Math.round((v * wallMs * 1000) / Math.max(1, receivedInWindow))])),
    busiest,
    saturated,
  };
}

export function mergeVerify(vs: VerifyReport[]): VerifyReport {
  const out: VerifyReport = { acked: 0, received: 0, lost: 0, lostSample: [], duplicates: 0, misrouted: 0, unknown: 0, orderViolations: 0, ackErrors: 0, disconnects: 0, migrates: 0 };
  for (const v of vs) {
    for (const key of ['acked', 'received', 'lost', 'duplicates', 'misrouted', 'unknown', 'orderViolations', 'ackErrors', 'disconnects', 'migrates'] as const) out[key] += v[key];
    out.lostSample.push(...v.lostSample);
  }
  out.lostSample = out.lostSample.slice(0, 5);
  return out;
}
