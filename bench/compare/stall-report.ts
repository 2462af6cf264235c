/**
 * Which process held up the slow messages of a bench run: every 1:1 message
 * slower than a threshold (from the load clients' BENCH_SLOW_LOG, which holds
 * those over 15 ms) against the event-loop stalls and GC pauses of every
 * process (bench/support/trace-stalls.cjs, BENCH_STALL_LOG), on the machine's
 * one clock. The Kafka broker's pauses (role `kafka`) come from the JVM's own
 * log, which the benches append to BENCH_STALL_LOG as they stop the broker
 * (bench/support/jvm-pauses.ts). A message was held up by a process when one of its stalls
 * overlaps the time between the send and the receipt.
 *
 *   NODE_OPTIONS="--require $PWD/bench/support/trace-stalls.cjs" BENCH_STALL_LOG=/tmp/stalls.log BENCH_SLOW_LOG=/tmp/slow.log \
 *     BENCH_SYSTEMS=b0,spear BENCH_RATES=5400 node --import tsx bench/compare/steady.bench.ts
 *   node --import tsx bench/compare/stall-report.ts /tmp/stalls.log /tmp/slow.log [threshold ms, 30]
 *
 * Prints one line per step. Overlaps are not causes: a role that stalls often
 * overlaps many messages by chance, so each role's count comes with what
 * chance alone would give (its share of the step's time spent stalled, times
 * the slow messages, for messages as long as the median slow one).
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
  stepStartedAt: number;
  sent: number;
  received: number;
  latencyMs: number;
}

/** The load clients log the 1:1 messages slower than this (bench/clients/client-worker.ts). */
export const SLOW_LOG_OVER_MS = 15;

/** One line of the slow log; parseSlow reads it back. */
export function slowLine(step: number, stepStartedAt: number, sent: number, received: number): string {
  return `${step} ${Math.round(stepStartedAt)} ${Math.round(sent)} ${Math.round(received)} ${(received - sent).toFixed(1)}`;
}

export function parsePauses(text: string): Pause[] {
  return lines(text).map((line) => {
    const [end, who, kind, ms] = line.split(' ');
    const to = Number(end);
    return { from: to - Number(ms), to, role: who!.split(':')[0]!, gc: kind !== 'stall' };
  });
}

export function parseSlow(text: string): Slow[] {
  return lines(text).map((line) => {
    const [step, stepStartedAt, sent, received, latencyMs] = line.split(' ').map(Number);
    return { step: step!, stepStartedAt: stepStartedAt!, sent: sent!, received: received!, latencyMs: latencyMs! };
  });
}

/** The load clients start one step within this much of each other; two steps start seconds apart. */
const SAME_STEP_MS = 1000;

/** The slow messages per step (its number and start), steps in time order. */
export function bySteps(slow: readonly Slow[]): Slow[][] {
  const steps: Slow[][] = [];
  for (const message of [...slow].sort((a, b) => a.stepStartedAt - b.stepStartedAt)) {
    const first = steps.at(-1)?.[0];
    if (first && first.step === message.step && message.stepStartedAt - first.stepStartedAt <= SAME_STEP_MS) steps.at(-1)!.push(message);
    else steps.push([message]);
  }
  return steps;
}

export interface StepStalls {
  step: number;
  stepStartedAt: number;
  /** Messages over the threshold. */
  slow: number;
  /** Of those, how many each process role overlapped with a stall (one message may count for several). */
  byRole: Record<string, number>;
  /** What chance alone would give each role (see the file's comment). */
  byChance: Record<string, number>;
  /** Of those, how many overlapped a GC pause of any process. */
  withGc: number;
  /** Of those, how many no stall of any process overlapped. */
  unexplained: number;
}

export function attribute(messages: readonly Slow[], pauses: readonly Pause[], thresholdMs: number): StepStalls {
  const slow = messages.filter((m) => m.latencyMs > thresholdMs);
  const result: StepStalls = { step: messages[0]!.step, stepStartedAt: messages[0]!.stepStartedAt, slow: slow.length, byRole: {}, byChance: {}, withGc: 0, unexplained: 0 };
  if (slow.length === 0) return result;
  const from = Math.min(...slow.map((m) => m.sent));
  const to = Math.max(...slow.map((m) => m.received));
  const window = pauses.filter((p) => p.to >= from && p.from <= to);
  for (const message of slow) {
    const overlapping = window.filter((p) => p.from < message.received && p.to > message.sent);
    if (overlapping.length === 0) result.unexplained++;
    if (overlapping.some((p) => p.gc)) result.withGc++;
    for (const role of new Set(overlapping.filter((p) => !p.gc).map((p) => p.role))) result.byRole[role] = (result.byRole[role] ?? 0) + 1;
  }
  // A message of length L overlaps a role's stall when one of its stalls (mean length S, n of them in the span T) ends within L + S of it.
  const span = Math.max(1, to - from);
  const typical = [...slow].sort((a, b) => a.latencyMs - b.latencyMs)[slow.length >> 1]!.latencyMs;
  for (const role of Object.keys(result.byRole)) {
    const stalls = window.filter((p) => p.role === role && !p.gc);
    const meanMs = stalls.reduce((sum, p) => sum + (p.to - p.from), 0) / stalls.length;
    result.byChance[role] = Math.round(Math.min(1, (stalls.length * (typical + meanMs)) / span) * slow.length);
  }
  return result;
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

function main(): void {
  const [stallFile, slowFile, threshold = '30'] = process.argv.slice(2);
  if (!stallFile || !slowFile) throw new Error('usage: stall-report.ts <BENCH_STALL_LOG file> <BENCH_SLOW_LOG file> [threshold ms]');
  const thresholdMs = Number(threshold);
  if (!(thresholdMs >= SLOW_LOG_OVER_MS)) throw new Error(`threshold: a number of ms of at least ${SLOW_LOG_OVER_MS} (the slow log holds only messages over that), got ${threshold}`);
  const pauses = parsePauses(readFileSync(stallFile, 'utf8'));
  for (const messages of bySteps(parseSlow(readFileSync(slowFile, 'utf8')))) {
    const s = attribute(messages, pauses, thresholdMs);
    const roles = Object.entries(s.byRole)
      .sort((a, b) => b[1] - a[1])
      .map(([role, n]) => `${role} ${n} (by chance ~${s.byChance[role]})`)
      .join(', ');
    const name = s.step === 0 ? 'warm-up' : `step ${s.step}`;
    console.log(
      `${name} started ${new Date(s.stepStartedAt).toISOString()}: ${s.slow} messages over ${thresholdMs} ms; overlapped by a stall of: ${roles || '-'}; ` +
        `by a GC pause of any process: ${s.withGc}; by nothing: ${s.unexplained}`,
    );
  }
}

if (require.main === module) main();
