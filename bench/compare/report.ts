/**
 * What the comparison bench concludes: the ratios against the goals of issue
 * #7 (RESULT lines), the problems that fail the run (lost messages, failed
 * connections; in quick mode anything undelivered), and the report: JSON and
 * markdown tables under .run/bench/ on every run (writeRunReport); with
 * `--update-docs`, docs/bench-results/compare.json and the tables in
 * docs/BENCHMARKS.md between the `compare:begin` / `compare:end` markers
 * (writeDocsReport).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { machineFacts } from '../rpc/measure';
import { WORKSPACE_ROOT, writeRunResult } from '../support/run-results';
import type { ConnectResult } from '../clients/client-fleet';
import type { VerifyReport } from '../clients/protocol';
import { cpuUsPerMessage } from '../scale/cpu-per-message';
import type { MeasuredStep, RampResult } from './scenarios';
import type { CompareSettings } from './settings';

interface IdleTarget {
  connections: number;
  rssAfterMiB: number;
  kibPerConnection: number;
  kibPerConnectionMarginal: number;
}

export interface SystemResult {
  name: string;
  connect: ConnectResult;
  ramp?: RampResult;
  /** The 1:1 ramp again with only `settings.fewUsers` of the users taking part (absent from runs before it was added). */
  rampFew?: RampResult;
  /** The rate of the `atHalfOfB0` step: half of B0's saturation (peak delivered) rate. */
  halfRate?: number;
  /** Of `halfRuns` (every run of that step, `settings.halfRuns` of them), the one of median p99. */
  atHalfOfB0?: MeasuredStep;
  halfRuns?: MeasuredStep[];
  /** Of `busRuns` (every run of scenario 4's step, `settings.busRuns` of them), the one of median p99. */
  atBusRate?: MeasuredStep;
  busRuns?: MeasuredStep[];
  fanout?: RampResult;
  loss?: VerifyReport;
}

export interface CompareResults {
  machine: ReturnType<typeof machineFacts>;
  settings: CompareSettings;
  /** b0s: B0 on the sharded redis adapter; b1: on the redis streams adapter with connection state recovery (each absent from runs before it was added). */
  systems: { b0: SystemResult; b0s?: SystemResult; b1?: SystemResult; spearRedis: SystemResult; spearKafka: SystemResult };
  idle?: { connections: number; spear: IdleTarget; b0: IdleTarget; ratio: number; ratioOverall: number };
}

interface Row {
  scenario: string;
  b0: string;
  spear: string;
  ratio: number | undefined;
  goal: string;
  met: boolean | undefined;
}

const r3 = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? undefined : Math.round((a / b) * 100) / 100);
const lat = (s: MeasuredStep | undefined) => (s ? `${s.latency.p50} / ${s.latency.p99} / ${s.latency.p999} ms` : '–');
const int = (n: number | undefined) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));

/** The other stock socket.io baselines a run may hold, each compared with Spear in the B0 column. */
const otherBaselines = (c: CompareResults) =>
  ([['B0s', c.systems.b0s], ['B1', c.systems.b1]] as const).flatMap(([label, result]) => (result ? [{ label, result }] : []));

/** Server CPU µs per delivered message in a step: the gateway processes, and Spear's ticket and idgen; with `redis`, Redis too (every system's messages cross it). */
const serverUs = (step: MeasuredStep | undefined, redis = false) =>
  step ? cpuUsPerMessage(step, Object.keys(step.cpu).filter((name) => /^(spear|b0|b0s|b1)-\d+$|^(ticket|idgen)$/.test(name) || (redis && name === 'redis'))) : undefined;

/** Every run of the half-saturation step (runs before `halfRuns` was added have their one step). */
const halfRunsOf = (s: SystemResult): MeasuredStep[] => s.halfRuns ?? (s.atHalfOfB0 ? [s.atHalfOfB0] : []);

/** The server CPU per message of the half-saturation step, averaged over its runs. */
const meanServerUs = (s: SystemResult, redis = false) => {
  const runs = halfRunsOf(s).map((step) => serverUs(step, redis)).filter((us): us is number => us !== undefined);
  return runs.length === 0 ? undefined : runs.reduce((a, b) => a + b, 0) / runs.length;
};

/** Every run of scenario 4's step (runs before `busRuns` was added have their one step). */
const busRunsOf = (s: SystemResult): MeasuredStep[] => s.busRuns ?? (s.atBusRate ? [s.atBusRate] : []);

/** ", median of N runs (p99 each: A a, b, c; B d, e, f)" when the step ran more than once. */
const runsNote = ([labelA, runsA]: [string, MeasuredStep[]], [labelB, runsB]: [string, MeasuredStep[]]) => {
  const p99s = (runs: MeasuredStep[]) => (runs.length > 0 ? runs.map((r) => r.latency.p99).join(', ') : '–');
  const n = Math.max(runsA.length, runsB.length);
  return n > 1 ? `, median of ${n} runs (p99 each: ${labelA} ${p99s(runsA)}; ${labelB} ${p99s(runsB)} ms)` : '';
};

export function rows(c: CompareResults): Row[] {
  const { b0, spearRedis: sr, spearKafka: sk } = c.systems;
  const others = otherBaselines(c);
  const row = (scenario: string, b: string, s: string, ratio: number | undefined, goal: string, ok?: (r: number) => boolean): Row => ({ scenario, b0: b, spear: s, ratio, goal, met: ratio === undefined || !ok ? undefined : ok(ratio) });
  return [
    row('1. 1:1, highest delivered msgs/s with p99 < 100 ms', int(b0.ramp?.bestUnderP99), int(sr.ramp?.bestUnderP99), r3(sr.ramp?.bestUnderP99, b0.ramp?.bestUnderP99), '>= 1.0x (#21; #7 asked 1.2x)', (r) => r >= 1.0),
    row('1. 1:1, saturation (peak delivered msgs/s)', int(b0.ramp?.peak), int(sr.ramp?.peak), r3(sr.ramp?.peak, b0.ramp?.peak), '–'),
    ...others.map(({ label, result }) => row(`1. 1:1, highest delivered msgs/s with p99 < 100 ms: ${label} (B0 column; ratio Spear / ${label})`, int(result.ramp?.bestUnderP99), int(sr.ramp?.bestUnderP99), r3(sr.ramp?.bestUnderP99, result.ramp?.bestUnderP99), '–')),
    ...(b0.rampFew || sr.rampFew
      ? [row(`1. 1:1 with ${int(c.settings.fewUsers)} of the users, highest delivered msgs/s with p99 < 100 ms`, int(b0.rampFew?.bestUnderP99), int(sr.rampFew?.bestUnderP99), r3(sr.rampFew?.bestUnderP99, b0.rampFew?.bestUnderP99), '>= 1.0x (#21)', (r) => r >= 1.0)]
      : []),
    row(`1. 1:1 at 50% of B0's saturation (${int(b0.halfRate)} msgs/s): p50 / p99 / p999${runsNote(['B0', halfRunsOf(b0)], ['Spear', halfRunsOf(sr)])}`, lat(b0.atHalfOfB0), lat(sr.atHalfOfB0), r3(sr.atHalfOfB0?.latency.p99, b0.atHalfOfB0?.latency.p99), 'p99 <= 1.0x', (r) => r <= 1.0),
    // Judged with Redis: Spear's durable delivery costs Redis work per message that B0 does not pay.
    row(`1. 1:1 at 50% of B0's saturation: server CPU µs per delivered message, Redis included${halfRunsOf(b0).length > 1 ? ' (mean of the runs)' : ''}`, int(meanServerUs(b0, true)), int(meanServerUs(sr, true)), r3(meanServerUs(sr, true), meanServerUs(b0, true)), '<= 1.0x', (r) => r <= 1.0),
    row(`1. 1:1 at 50% of B0's saturation: server CPU µs per delivered message, Redis apart${halfRunsOf(b0).length > 1 ? ' (mean of the runs)' : ''}`, int(meanServerUs(b0)), int(meanServerUs(sr)), r3(meanServerUs(sr), meanServerUs(b0)), '–'),
    row(`2. fan-out to one group of ${int(c.settings.users)}, peak deliveries/s`, int(b0.fanout?.peak), int(sr.fanout?.peak), r3(sr.fanout?.peak, b0.fanout?.peak), '>= 1.0x', (r) => r >= 1.0),
    ...others.map(({ label, result }) => row(`2. fan-out to one group of ${int(c.settings.users)}, peak deliveries/s: ${label} (B0 column; ratio Spear / ${label})`, int(result.fanout?.peak), int(sr.fanout?.peak), r3(sr.fanout?.peak, result.fanout?.peak), '–')),
    row(`3. idle, RSS per connection at ${int(c.idle?.connections)} (marginal; overall)`, c.idle ? `${c.idle.b0.kibPerConnectionMarginal} KiB; ${c.idle.b0.kibPerConnection}` : '–', c.idle ? `${c.idle.spear.kibPerConnectionMarginal} KiB; ${c.idle.spear.kibPerConnection}` : '–', c.idle?.ratio, '<= 1.0x', (r) => r <= 1.0),
    row(`4. 1:1 at ${int(c.settings.busRate)} msgs/s, p50 / p99 / p999: Redis bus (B0 column) vs Kafka bus${runsNote(['Redis', busRunsOf(sr)], ['Kafka', busRunsOf(sk)])}`, lat(sr.atBusRate), lat(sk.atBusRate), r3(sk.atBusRate?.latency.p99, sr.atBusRate?.latency.p99), 'p99 <= 3x', (r) => r <= 3),
    row(`5. connect storm: ${int(c.settings.users)} clients at once, until all ready (s)`, (b0.connect.allReadyMs / 1000).toFixed(2), (sr.connect.allReadyMs / 1000).toFixed(2), r3(sr.connect.allReadyMs, b0.connect.allReadyMs), '–'),
  ];
}

export function summarize(c: CompareResults): string[] {
  return rows(c).map((r) => `RESULT ${r.scenario}: B0 ${r.b0}, Spear ${r.spear}${r.ratio === undefined ? '' : ` = ${r.ratio}x`} (goal ${r.goal}${r.met === undefined ? '' : r.met ? ', met' : ', NOT met'})`);
}

export function problemsOf(c: CompareResults): string[] {
  const out: string[] = [];
  for (const s of Object.values(c.systems).filter((x): x is SystemResult => x !== undefined)) {
    if (s.connect.failed > 0) out.push(`${s.name}: ${s.connect.failed} clients failed to connect (${s.connect.firstError})`);
    // Spear promises every acked send; the stock baselines promise nothing past their adapter (B1's stream is trimmed at
    // its maxLen, so a reader that falls behind it loses what was cut): their loss is a figure of the run, shown in its
    // loss line, and a problem only in quick mode, far below saturation, where it can only be the harness's.
    const promisesDelivery = s.name.startsWith('spear') || c.settings.quick;
    if (s.loss && s.loss.lost > 0 && promisesDelivery) out.push(`${s.name}: ${s.loss.lost} acked 1:1 messages never arrived`);
    if (s.loss && (s.loss.misrouted > 0 || s.loss.orderViolations > 0)) out.push(`${s.name}: ${s.loss.misrouted} misrouted, ${s.loss.orderViolations} order violations`);
    if (!c.settings.quick) continue;
    // Quick mode runs far below saturation: everything offered must arrive.
    const steps = [...(s.ramp?.steps ?? []), ...(s.rampFew?.steps ?? []), ...(s.fanout?.steps ?? []), ...halfRunsOf(s), ...busRunsOf(s)];
    if (steps.length === 0) out.push(`${s.name}: no step ran`);
    for (const st of steps) if (st.undelivered > 0 || st.unsettled > 0 || st.received === 0) out.push(`${s.name}: a step at ${st.offered}/s left ${st.undelivered} undelivered, ${st.unsettled} unanswered (received ${st.received})`);
  }
  return out;
}

/** `steps`, or undefined when there are none (rampTable then writes nothing). */
const nonEmpty = (steps: MeasuredStep[]) => (steps.length > 0 ? steps : undefined);

const rampTable = (title: string, steps: MeasuredStep[] | undefined) =>
  steps
    ? [
        `${title}:`,
        '',
        '| offered/s | delivered/s | p50 / p99 / p999 | CPUs: machine, server processes, load generators |',
        '| --- | --- | --- | --- |',
        ...steps.map((s) => {
          const servers = Object.entries(s.cpu).filter(([n]) => n !== 'machine' && !n.startsWith('gen-'));
          const gens = Object.entries(s.cpu).filter(([n]) => n.startsWith('gen-')).reduce((a, [, v]) => a + v, 0);
          return `| ${int(s.offered)} | ${int(s.deliveredPerSecond)}${s.saturated ? ' (saturated)' : ''} | ${lat(s)} | ${s.cpu.machine}; ${servers.map(([n, v]) => `${n} ${v}`).join(', ')}; generators ${Math.round(gens * 100) / 100} |`;
        }),
        '',
      ]
    : [];

/** The tables of a run; `command` is what the first line says made them. */
export function markdown(c: CompareResults, command = 'npm run bench'): string {
  const m = c.machine;
  const { b0, spearRedis: sr, spearKafka: sk } = c.systems;
  const others = otherBaselines(c);
  const s = c.settings;
  return [
    `Generated by \`${command}\` at ${m.date} on commit ${m.commit}: node ${m.node}, ${m.nproc} × ${m.cpu}, load average at the start ${m.loadavg.join(' ')}.`,
    `${int(s.users)} users over ${s.workers} load-generator processes; steps of ${s.stepSeconds} s; B0 = two plain socket.io 4.8 processes with @socket.io/redis-adapter${c.systems.b0s ? '; B0s = the same with its sharded adapter (dynamic subscription mode)' : ''}${c.systems.b1 ? '; B1 = the same with @socket.io/redis-streams-adapter and connection state recovery' : ''}; Spear = two spear nodes + ticket + idgen. Ratios are Spear / B0.`,
    '',
    '| scenario | B0 | Spear | ratio | goal |',
    '| --- | --- | --- | --- | --- |',
    ...rows(c).map((r) => `| ${r.scenario} | ${r.b0} | ${r.spear} | ${r.ratio === undefined ? '–' : `${r.ratio}×`} | ${r.goal}${r.met === undefined ? '' : r.met ? ' (met)' : ' (**not met**)'} |`),
    '',
    `Loss check (acked 1:1 sends never received): B0 ${int(b0.loss?.lost)} of ${int(b0.loss?.acked)}, ${others.map(({ label, result }) => `${label} ${int(result.loss?.lost)} of ${int(result.loss?.acked)}, `).join('')}Spear Redis bus ${int(sr.loss?.lost)} of ${int(sr.loss?.acked)}, Spear Kafka bus ${int(sk.loss?.lost)} of ${int(sk.loss?.acked)}.`,
    '',
    ...rampTable('B0, 1:1 ramp', b0.ramp?.steps),
    ...others.flatMap(({ label, result }) => rampTable(`${label}, 1:1 ramp`, result.ramp?.steps)),
    ...rampTable('Spear (Redis bus), 1:1 ramp', sr.ramp?.steps),
    ...rampTable(`B0, 1:1 ramp with ${int(s.fewUsers)} of the users`, b0.rampFew?.steps),
    ...rampTable(`Spear (Redis bus), 1:1 ramp with ${int(s.fewUsers)} of the users`, sr.rampFew?.steps),
    ...rampTable('Fixed-rate steps (B0, then Spear, at 50% of B0\'s saturation, each run)', nonEmpty([...halfRunsOf(b0), ...halfRunsOf(sr)])),
    ...rampTable('Spear at the bus comparison rate, each run: Redis bus', nonEmpty(busRunsOf(sr))),
    ...rampTable('Spear at the bus comparison rate, each run: Kafka bus', nonEmpty(busRunsOf(sk))),
    ...rampTable('B0, fan-out ramp (offered = publishes/s × members)', b0.fanout?.steps),
    ...others.flatMap(({ label, result }) => rampTable(`${label}, fan-out ramp`, result.fanout?.steps)),
    ...rampTable('Spear (Redis bus), fan-out ramp', sr.fanout?.steps),
  ].join('\n');
}

/** The JSON and the tables of this run under .run/bench/ (never under docs/); returns their paths. */
export function writeRunReport(c: CompareResults): string[] {
  return [writeRunResult('compare', c.machine.date, 'json', JSON.stringify(c, null, 2)), writeRunResult('compare', c.machine.date, 'md', markdown(c))];
}

const DOCS = join(WORKSPACE_ROOT, 'docs');
const BEGIN = '<!-- compare:begin -->';
const END = '<!-- compare:end -->';

/** `--update-docs`: docs/bench-results/compare.json and the tables between the markers in docs/BENCHMARKS.md (which must be there). */
export function writeDocsReport(c: CompareResults): void {
  const file = join(DOCS, 'BENCHMARKS.md');
  const doc = readFileSync(file, 'utf8');
  const at = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (at < 0 || end < at) throw new Error(`${file}: no ${BEGIN} ... ${END} block to replace`);
  writeFileSync(join(DOCS, 'bench-results', 'compare.json'), `${JSON.stringify(c, null, 2)}\n`);
  writeFileSync(file, `${doc.slice(0, at)}${BEGIN}\n${markdown(c, 'npm run bench -- --update-docs')}\n${END}${doc.slice(end + END.length)}`);
}
