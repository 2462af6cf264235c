/**
 * What the scale bench concludes: one row per system × nodes × workload,
 * the ratios of issue #20 (Spear's CPU per message at the largest size
 * against the smallest, goal ≤ 1.2× for 8 vs 2 nodes; Spear's 1:1 msgs/s
 * under the p99 bound against B0's at the largest size, goal ≥ 2× at 8),
 * the problems that fail the run, and where it all goes: .run/bench/ on
 * every run; with `--update-docs`, docs/bench-results/scale.json and the
 * block between `scale:begin` / `scale:end` in docs/BENCHMARKS.md (the
 * section is appended at the end of the file the first time).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { machineFacts } from '../rpc/measure';
import { P99_BOUND_MS, type MeasuredStep } from '../compare/scenarios';
import { WORKSPACE_ROOT, writeRunResult } from '../support/run-results';
import type { EngineKind } from './engines';
import type { SizeResult, StepCost, WorkloadResult } from './one-size';
import type { ScaleSettings, ScaleSystem } from './settings';
import { WORKLOADS, type Workload } from './workloads';

export interface ScaleResults {
  machine: ReturnType<typeof machineFacts>;
  settings: ScaleSettings;
  engines: EngineKind;
  results: SizeResult[];
  /** Sizes whose system failed to start or stopped the turn, with the error. */
  failed: Array<{ system: ScaleSystem; nodes: number; run?: number; error: string }>;
}

export interface Ratio {
  what: string;
  /** The median over the runs that had both figures. */
  value?: number;
  /** Every run's value, in run order (undefined where a run lacked a figure). */
  perRun: Array<number | undefined>;
  goal: string;
  met?: boolean;
}

const NAMES: Record<ScaleSystem, string> = { spear: 'Spear', b0: 'B0', b0s: 'B0s' };
const int = (n: number | undefined) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
/** a / b to two decimals; 0 when a system had no step under the bound and the other had one, undefined when b is missing or 0. */
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? undefined : Math.round((a / b) * 100) / 100);
/** The step behind the ramp's bestUnderP99 (same test as bench/compare/scenarios.ts's ramp). */
function bestStep(w: WorkloadResult | undefined): MeasuredStep | undefined {
  const good = (w?.ramp.steps ?? []).filter((s) => s.deliveredPerSecond >= s.offered * 0.95 && s.latency.p99 < P99_BOUND_MS && s.unsettled === 0 && s.undelivered === 0);
  return good.reduce<MeasuredStep | undefined>((best, s) => (!best || s.deliveredPerSecond > best.deliveredPerSecond ? s : best), undefined);
}
const costAt = (w: WorkloadResult | undefined, step: MeasuredStep | undefined): StepCost | undefined => (w && step ? w.costs[w.ramp.steps.indexOf(step)] : undefined);

function find(c: ScaleResults, system: ScaleSystem, nodes: number, workload: Workload, run: number): WorkloadResult | undefined {
  // Runs written before repetitions existed have no run number: they were run 1.
  return c.results.find((r) => r.system === system && r.nodes === nodes && (r.run ?? 1) === run)?.workloads[workload];
}

const runNumbers = (c: ScaleResults) => Array.from({ length: c.settings.runs ?? 1 }, (_, i) => i + 1);

/** The median of the defined values (the mean of the middle two for an even count). */
export function median(values: Array<number | undefined>): number | undefined {
  const xs = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 === 1 ? xs[mid] : Math.round(((xs[mid - 1]! + xs[mid]!) / 2) * 100) / 100;
}

/** A ratio read in every run, reported as the median of the runs. */
function ratioOverRuns(c: ScaleResults, what: string, goal: string, ok: (value: number) => boolean, per: (run: number) => number | undefined): Ratio {
  const perRun = runNumbers(c).map(per);
  const value = median(perRun);
  return { what, value, perRun, goal, met: goal === '–' || value === undefined ? undefined : ok(value) };
}

/** The smallest and the largest size of the run: the ratios compare those two. */
const extremes = (c: ScaleResults) => ({ small: Math.min(...c.settings.sizes), large: Math.max(...c.settings.sizes) });

export function referenceLabel(s: ScaleSettings, workload: Workload): string {
  return workload === '1:1' ? `${int(s.referenceRate)} msgs/s` : `${int(s.referenceFanoutRate)} publishes/s`;
}

export function ratios(c: ScaleResults): Ratio[] {
  const { small, large } = extremes(c);
  // The goals of issue #20 are stated for 8 nodes against 2; other sizes get the ratio without a verdict, and so does a
  // quick run, whose rates are far too low to say anything about speed.
  const issueSizes = small === 2 && large === 8 && !c.settings.quick;
  const out: Ratio[] = [];
  const has = (system: ScaleSystem) => c.settings.systems.includes(system);
  for (const workload of workloadsOf(c)) {
    // One size only: there is nothing to scale against.
    for (const system of small === large ? [] : c.settings.systems) {
      const goal = system === 'spear' && workload === '1:1' && issueSizes ? '<= 1.2x' : '–';
      const what = `${NAMES[system]} ${workload}: server CPU per message, ${large} vs ${small} nodes (at ${referenceLabel(c.settings, workload)})`;
      out.push(ratioOverRuns(c, what, goal, (v) => v <= 1.2, (run) => ratio(find(c, system, large, workload, run)?.atReference?.serverUs, find(c, system, small, workload, run)?.atReference?.serverUs)));
    }
    if (!has('spear')) continue;
    for (const base of ['b0', 'b0s'] as const) {
      if (!has(base)) continue;
      const goal = base === 'b0' && workload === '1:1' && issueSizes ? '>= 2x' : '–';
      const what = `${workload}: delivered msgs/s under p99 < ${P99_BOUND_MS} ms at ${large} nodes, Spear / ${NAMES[base]}`;
      out.push(ratioOverRuns(c, what, goal, (v) => v >= 2, (run) => ratio(find(c, 'spear', large, workload, run)?.ramp.bestUnderP99, find(c, base, large, workload, run)?.ramp.bestUnderP99)));
    }
  }
  return out;
}

/** The workloads a run ran (all of them for runs written before they could be chosen). */
const workloadsOf = (c: ScaleResults): readonly Workload[] => c.settings.workloads ?? WORKLOADS;

const fmtRatio = (r: Ratio) => `${r.value === undefined ? '–' : `${r.value}×`}${r.perRun.length > 1 ? ` (runs: ${r.perRun.map((v) => (v === undefined ? '–' : `${v}×`)).join(', ')})` : ''}`;
const verdict = (r: Ratio) => (r.met === undefined ? r.goal : `${r.goal} (${r.met ? 'met' : '**not met**'})`);

export function summarize(c: ScaleResults): string[] {
  const lines = bySystem(c).flatMap((r) =>
    workloadsOf(c).map((workload) => {
      const w = r.workloads[workload];
      return `RESULT ${NAMES[r.system]} × ${r.nodes}${runLabel(c, r)} ${workload}: under p99 ${int(w?.ramp.bestUnderP99)}/s, peak ${int(w?.ramp.peak)}/s, server CPU ${w?.atReference?.serverUs ?? '–'} µs/msg at ${referenceLabel(c.settings, workload)}`;
    }),
  );
  return [...lines, ...ratios(c).map((r) => `RESULT ${r.what}: ${fmtRatio(r)} (goal ${r.goal}${r.met === undefined ? '' : r.met ? ', met' : ', NOT met'})`)];
}

export function problemsOf(c: ScaleResults): string[] {
  const out = c.failed.map((f) => `${f.system} × ${f.nodes}: ${f.error}`);
  for (const r of c.results) {
    const at = `${r.system} × ${r.nodes}${runLabel(c, r)}`;
    out.push(...r.errors.map((e) => `${at}: ${e}`));
    if (r.connect.failed > 0) out.push(`${at}: ${r.connect.failed} clients failed to connect (${r.connect.firstError})`);
    // Spear promises every acked send, once and in order; the stock baselines promise what their adapter gives (B0's
    // PUBLISH on a Redis Cluster goes through any node, so one sender's messages can overtake each other): their
    // loss check is a figure of a full run, in its loss line, and a problem only in quick mode, where it can only be the harness's.
    if (!r.loss) out.push(`${at}: no loss check`);
    else if (r.loss.lost + r.loss.duplicates + r.loss.misrouted + r.loss.orderViolations > 0 && (r.system === 'spear' || c.settings.quick)) out.push(`${at}: loss check ${JSON.stringify(r.loss)}`);
    if (r.connect.crossPairs === 0 || r.connect.samePairs > 0) out.push(`${at}: ${r.connect.crossPairs} pairs across nodes, ${r.connect.samePairs} within one`);
    for (const workload of workloadsOf(c)) {
      const steps = r.workloads[workload]?.ramp.steps ?? [];
      if (steps.length === 0) out.push(`${at}: no ${workload} step ran`);
      // Quick mode runs far below saturation: everything offered must arrive and nothing be refused.
      if (!c.settings.quick) continue;
      for (const st of steps) {
        const refused = Object.values(st.refused).reduce((a, n) => a + n, 0);
        if (st.undelivered > 0 || st.unsettled > 0 || st.received === 0 || refused > 0) out.push(`${at}: ${workload} at ${st.offered}/s left ${st.undelivered} undelivered, ${st.unsettled} unanswered, ${refused} refused (received ${st.received})`);
      }
    }
  }
  return out;
}

/** "min–max" users per node, as the connect storm found them. */
const spread = (nodes: Record<string, number>) => {
  const counts = Object.values(nodes);
  return counts.length === 0 ? '–' : `${int(Math.min(...counts))}–${int(Math.max(...counts))}`;
};

/** The results grouped by system (in the settings' order), then by size, then by run. */
const bySystem = (c: ScaleResults) => [...c.results].sort((a, b) => c.settings.systems.indexOf(a.system) - c.settings.systems.indexOf(b.system) || a.nodes - b.nodes || (a.run ?? 1) - (b.run ?? 1));

/** ", run n" when the run has several. */
const runLabel = (c: ScaleResults, r: SizeResult) => ((c.settings.runs ?? 1) > 1 ? `, run ${r.run ?? 1}` : '');

function summaryTable(c: ScaleResults): string[] {
  const runs = (c.settings.runs ?? 1) > 1;
  const rows = bySystem(c).flatMap((r) =>
    workloadsOf(c).map((workload) => {
      const w = r.workloads[workload];
      const best = bestStep(w);
      const bestCost = costAt(w, best);
      const ref = w?.atReference;
      const refCell = ref ? `${ref.serverUs ?? '–'} (${ref.redisUs ?? '–'})${ref.saturated ? ' saturated' : ''}` : '–';
      return `| ${NAMES[r.system]} | ${r.nodes}${runs ? ` | ${r.run ?? 1}` : ''} | ${workload === 'fanout' ? `fan-out to ${int(w?.members)}` : '1:1 across nodes'} | ${int(w?.ramp.bestUnderP99)} | ${best ? best.latency.p99 : '–'} | ${int(w?.ramp.peak)} | ${refCell} | ${bestCost?.serverUs ?? '–'} | ${r.idleServerCpu ?? '–'} | ${spread(r.connect.nodes)} |`;
    }),
  );
  return [
    `| system | nodes${runs ? ' | run' : ''} | workload | delivered/s with p99 < ${P99_BOUND_MS} ms | its p99 (ms) | peak delivered/s | server CPU µs/msg at the reference rate (Redis) | server CPU µs/msg at the best step | server CPUs idle | users per node |`,
    `| --- | ---${runs ? ' | ---' : ''} | --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...rows,
  ];
}

const stepsTable = (title: string, w: WorkloadResult | undefined) =>
  w
    ? [
        `${title}:`,
        '',
        '| offered/s | delivered/s | p50 / p99 / p999 (ms) | server CPU µs/msg (Redis) | CPUs: machine, load generators |',
        '| --- | --- | --- | --- | --- |',
        ...w.ramp.steps.map((s, i) => {
          const gens = Object.entries(s.cpu).filter(([n]) => n.startsWith('gen-')).reduce((a, [, v]) => a + v, 0);
          const cost = w.costs[i];
          return `| ${int(s.offered)} | ${int(s.deliveredPerSecond)}${s.saturated ? ' (saturated)' : ''} | ${s.latency.p50} / ${s.latency.p99} / ${s.latency.p999} | ${cost?.serverUs ?? '–'} (${cost?.redisUs ?? '–'}) | ${s.cpu.machine}; ${Math.round(gens * 100) / 100} |`;
        }),
        '',
      ]
    : [];

/** The tables of a run; `command` is what the first line says made them; `steps` adds every ramp step (the run's own file). */
export function markdown(c: ScaleResults, command: string, steps: boolean): string {
  const m = c.machine;
  const s = c.settings;
  const disorder = (r: SizeResult) => (r.loss && r.loss.orderViolations > 0 ? ` (${int(r.loss.orderViolations)} out of order)` : '');
  const loss = bySystem(c).map((r) => `${NAMES[r.system]} × ${r.nodes}${runLabel(c, r)} ${int(r.loss?.lost)} of ${int(r.loss?.acked)}${disorder(r)}`).join(', ');
  return [
    ...(s.quick ? ['**Quick run: it shows that every system, size and workload runs and delivers, not how fast.**', ''] : []),
    `Generated by \`${command}\` at ${m.date} on commit ${m.commit}: node ${m.node}, ${m.nproc} × ${m.cpu}, load average at the start ${m.loadavg.join(' ')}; engines: ${c.engines}; ${s.runs ?? 1} run(s), ratios the median of the runs.`,
    `${int(s.users)} users over ${s.workers} load-generator processes; every 1:1 pair across nodes; fan-out: every user in one group, one publisher; steps of ${s.stepSeconds} s, ramps stopping after the first saturated step. ` +
      `Spear = N spear nodes + ticket + idgen, Redis bus; B0 = N plain socket.io processes with @socket.io/redis-adapter (classic); B0s = the same with its sharded adapter (dynamic subscription mode). ` +
      `Server CPU = the system's own processes (Redis in brackets), from /proc over each step and its drain, per delivered message; reference rates: 1:1 ${referenceLabel(s, '1:1')}, fan-out ${referenceLabel(s, 'fanout')}` +
      (s.idleSeconds > 0 ? `; server CPUs idle: those processes over ${s.idleSeconds} s with every user connected and no traffic (1 = one core).` : '.'),
    '',
    ...summaryTable(c),
    '',
    '| ratio | value | goal |',
    '| --- | --- | --- |',
    ...ratios(c).map((r) => `| ${r.what} | ${fmtRatio(r)} | ${verdict(r)} |`),
    '',
    `Loss check (acked 1:1 sends never received; and received out of their sender's order): ${loss || '–'}.`,
    ...(c.failed.length > 0 ? ['', `Did not run: ${c.failed.map((f) => `${NAMES[f.system]} × ${f.nodes}${f.run ? ` (run ${f.run})` : ''} (${f.error})`).join('; ')}.`] : []),
    '',
    ...(steps ? bySystem(c).flatMap((r) => workloadsOf(c).flatMap((w) => stepsTable(`${NAMES[r.system]} × ${r.nodes}${runLabel(c, r)}, ${w}`, r.workloads[w]))) : []),
  ].join('\n');
}

/** The JSON and the tables of this run under .run/bench/ (never under docs/); returns their paths. */
export function writeRunReport(c: ScaleResults, command: string): string[] {
  return [writeRunResult('scale', c.machine.date, 'json', JSON.stringify(c, null, 2)), writeRunResult('scale', c.machine.date, 'md', markdown(c, command, true))];
}

const DOCS = join(WORKSPACE_ROOT, 'docs');
export const BEGIN = '<!-- scale:begin -->';
export const END = '<!-- scale:end -->';
const SECTION = [
  '## Scale: 2, 4 and 8 nodes (issue #20)',
  '',
  'Command: `npm run bench:scale -- --update-docs` (`bench/scale/scale.bench.ts`; every step of the run in `docs/bench-results/scale.json`).',
  '',
].join('\n');

/** The docs file with the block between the markers replaced by `block` (the section and its markers appended when absent). */
export function withScaleBlock(doc: string, block: string): string {
  const at = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (at < 0 && end < 0) return `${doc.trimEnd()}\n\n${SECTION}\n${BEGIN}\n${block}\n${END}\n`;
  if (at < 0 || end < at) throw new Error(`docs/BENCHMARKS.md: ${BEGIN} and ${END} must both be there, in that order`);
  return `${doc.slice(0, at)}${BEGIN}\n${block}\n${END}${doc.slice(end + END.length)}`;
}

/** `--update-docs`: docs/bench-results/scale.json and the scale block of docs/BENCHMARKS.md. */
export function writeDocsReport(c: ScaleResults, command: string): void {
  const file = join(DOCS, 'BENCHMARKS.md');
  if (!existsSync(file)) throw new Error(`${file} is missing`);
  const doc = withScaleBlock(readFileSync(file, 'utf8'), markdown(c, command, false));
  writeFileSync(join(DOCS, 'bench-results', 'scale.json'), `${JSON.stringify(c, null, 2)}\n`);
  writeFileSync(file, doc);
}
