/**
 * Which process held up the slow messages of a bench run: every message
 * slower than a threshold (from the load clients' BENCH_SLOW_LOG) against the
 * event-loop stalls and GC pauses of every process (bench/support/trace-stalls.cjs,
 * BENCH_STALL_LOG), on the machine's one clock. A message is held up by a
 * process when one of its stalls overlaps the time between the send and the
 * receipt.
 *
 *   NODE_OPTIONS="--require $PWD/bench/support/trace-stalls.cjs" BENCH_STALL_LOG=/tmp/stalls.log BENCH_SLOW_LOG=/tmp/slow.log \
 *     BENCH_SYSTEMS=b0,spear BENCH_RATES=5400 node --import tsx bench/compare/steady.bench.ts
 *   node --import tsx bench/compare/stall-report.ts /tmp/stalls.log /tmp/slow.log [threshold ms, 30]
 *
 * Prints one line per measured step (the load clients' step number; the same
 * number in two systems' runs is told apart by time).
 */
import { readFileSync } from 'node:fs';

interface Pause {
  from: number;
  to: number;
  role: string;
  gc: boolean;
}

interface Slow {
  step: number;
  sent: number;
  received: number;
  latencyMs: number;
}

/** Steps of the same number this far apart are different systems' runs. */
const SAME_STEP_GAP_MS = 20_000;

export function parsePauses(text: string): Pause[] {
  return lines(text).map((line) => {
    const [end, who, kind, ms] = line.split(' ');
    const to = Number(end);
    return { from: to - Number(ms), to, role: who!.split(':')[0]!, gc: kind !== 'stall' };
  });
}

export function parseSlow(text: string): Slow[] {
  return lines(text).map((line) => {
    const [step, sent, received, latencyMs] = line.split(' ').map(Number);
    return { step: step!, sent: sent!, received: received!, latencyMs: latencyMs! };
  });
}

/** The slow messages per step run, in time order. */
export function byStepRun(slow: readonly Slow[]): Slow[][] {
  const runs: Slow[][] = [];
  const open = new Map<number, Slow[]>();
  for (const message of [...slow].sort((a, b) => a.sent - b.sent)) {
    let run = open.get(message.step);
    if (!run || message.sent - run.at(-1)!.sent > SAME_STEP_GAP_MS) {
      run = [];
      runs.push(run);
      open.set(message.step, run);
    }
    run.push(message);
  }
  return runs;
}

export interface StepStalls {
  step: number;
  startedAt: number;
  /** Messages over the threshold. */
  slow: number;
  /** Of those, how many each process role overlapped with a stall (one message may count for several). */
  byRole: Record<string, number>;
  /** Of those, how many overlapped a GC pause of any process. */
  withGc: number;
  /** Of those, how many no stall of any process overlapped. */
  unexplained: number;
}

export function attribute(run: readonly Slow[], pauses: readonly Pause[], thresholdMs: number): StepStalls {
  const result: StepStalls = { step: run[0]!.step, startedAt: run[0]!.sent, slow: 0, byRole: {}, withGc: 0, unexplained: 0 };
  const window = pauses.filter((p) => p.to >= run[0]!.sent && p.from <= run.at(-1)!.received);
  for (const message of run) {
    if (message.latencyMs <= thresholdMs) continue;
    result.slow++;
    const overlapping = window.filter((p) => p.from < message.received && p.to > message.sent);
    if (overlapping.length === 0) result.unexplained++;
    if (overlapping.some((p) => p.gc)) result.withGc++;
    for (const role of new Set(overlapping.filter((p) => !p.gc).map((p) => p.role))) result.byRole[role] = (result.byRole[role] ?? 0) + 1;
  }
  return result;
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

function main(): void {
  const [stallFile, slowFile, threshold = '30'] = process.argv.slice(2);
  if (!stallFile || !slowFile) throw new Error('usage: stall-report.ts <BENCH_STALL_LOG file> <BENCH_SLOW_LOG file> [threshold ms]');
  const pauses = parsePauses(readFileSync(stallFile, 'utf8'));
  const thresholdMs = Number(threshold);
  for (const run of byStepRun(parseSlow(readFileSync(slowFile, 'utf8')))) {
    const s = attribute(run, pauses, thresholdMs);
    const roles = Object.entries(s.byRole)
      .sort((a, b) => b[1] - a[1])
      .map(([role, n]) => `${role} ${n}`)
      .join(', ');
    console.log(
      `step ${s.step} at ${new Date(s.startedAt).toISOString()}: ${s.slow} messages over ${thresholdMs} ms; overlapped by a stall of: ${roles || '-'}; ` +
        `by a GC pause: ${s.withGc}; by nothing: ${s.unexplained}`,
    );
  }
}

if (process.argv[1]?.endsWith('stall-report.ts')) main();
