import { describe, expect, it } from 'vitest';
import type { MeasuredStep } from '../compare/scenarios';
import type { SizeResult, WorkloadResult } from './one-size';
import { BEGIN, END, markdown, median, problemsOf, ratios, withScaleBlock, type ScaleResults } from './report';
import { scaleSettings, type ScaleSystem } from './settings';

const latency = (p99: number) => ({ count: 100, p50: p99 / 4, p99, p999: p99 * 1.2, max: p99 * 1.5 });

function step(offered: number, delivered: number, p99: number, extra: Partial<MeasuredStep> = {}): MeasuredStep {
  return { offered, deliveredPerSecond: delivered, latency: latency(p99), sent: offered, acked: offered, refused: {}, received: delivered * 5, unsettled: 0, undelivered: 0, maxLagMs: 0, cpu: { machine: 1 }, wallMs: 5000, saturated: p99 > 1000, ...extra };
}

/** A 1:1 ramp whose best step under the bound is `best` msgs/s and whose reference step (3,000/s) costs `serverUs`. */
function workload(best: number, serverUs: number): WorkloadResult {
  const steps = [step(3000, 3000, 20), step(best, best, 60), step(best + 1000, best + 200, 1500)];
  const costs = steps.map((s) => ({ offered: s.offered, delivered: s.deliveredPerSecond, saturated: s.saturated, serverUs: s.offered === 3000 ? serverUs : 100, redisUs: 20 }));
  return { ramp: { steps, bestUnderP99: best, peak: best + 200 }, costs, atReference: costs[0] };
}

function size(system: ScaleSystem, nodes: number, best: number, serverUs: number, more: Partial<SizeResult> = {}): SizeResult {
  return {
    system,
    nodes,
    run: 1,
    connect: { connected: 100, failed: 0, allReadyMs: 100, readyMs: latency(10), nodes: { a: 50, b: 50 }, crossPairs: 50, samePairs: 0 },
    seconds: 60,
    workloads: { '1:1': workload(best, serverUs), fanout: { ...workload(best, serverUs), members: 100 } },
    loss: { acked: 1000, lost: 0, duplicates: 0, misrouted: 0, orderViolations: 0, disconnects: 0 },
    errors: [],
    ...more,
  };
}

const machine = { date: '2026-12-03T00:00:00.000Z', node: 'v24', nproc: 2, cpu: 'x', loadavg: [0.1, 0.1, 0.1], commit: 'abc' } as unknown as ScaleResults['machine'];

function results(sizes: SizeResult[], quick = false): ScaleResults {
  return { machine, settings: { ...scaleSettings(quick, {}), referenceRate: 3000, referenceFanoutRate: 3000 }, engines: 'single-redis', results: sizes, failed: [] };
}

describe('ratios', () => {
  const run = results([size('spear', 2, 5000, 200), size('spear', 8, 12_000, 230), size('b0', 2, 6000, 150), size('b0', 8, 5000, 300), size('b0s', 2, 6000, 150), size('b0s', 8, 8000, 180)]);
  const byWhat = (what: RegExp) => ratios(run).find((r) => what.test(r.what))!;

  it("compares Spear's CPU per message at 8 nodes with 2, against the goal of 1.2x", () => {
    expect(byWhat(/^Spear 1:1: server CPU per message, 8 vs 2 nodes/)).toMatchObject({ value: 1.15, goal: '<= 1.2x', met: true });
    expect(byWhat(/^B0 1:1: server CPU per message/)).toMatchObject({ value: 2, goal: '–', met: undefined });
  });

  it("compares Spear's 1:1 msgs/s under the p99 bound at 8 nodes with B0's (goal 2x) and B0s's", () => {
    expect(byWhat(/^1:1: .* at 8 nodes, Spear \/ B0$/)).toMatchObject({ value: 2.4, goal: '>= 2x', met: true });
    expect(byWhat(/^1:1: .* at 8 nodes, Spear \/ B0s$/)).toMatchObject({ value: 1.5, goal: '–' });
  });

  it('gives 0 when Spear had no step under the bound and B0 had one', () => {
    const none = results([size('spear', 2, 5000, 200), size('spear', 8, 0, 230), size('b0', 2, 6000, 150), size('b0', 8, 5000, 300)]);
    expect(ratios(none).find((r) => r.what.endsWith('Spear / B0') && r.what.startsWith('1:1'))).toMatchObject({ value: 0, met: false });
  });

  it('gives no verdict when a figure is missing or the sizes are not 2 and 8', () => {
    const missing = results([size('spear', 2, 5000, 200), size('b0', 8, 5000, 300)]);
    expect(ratios(missing).find((r) => r.what.startsWith('Spear 1:1'))).toMatchObject({ value: undefined, met: undefined });
    const small = { ...results([size('spear', 2, 5000, 200), size('spear', 4, 5000, 400)]), settings: { ...scaleSettings(false, { BENCH_SCALE_SIZES: '2,4', BENCH_SCALE_SYSTEMS: 'spear' }) } };
    expect(ratios(small)[0]).toMatchObject({ goal: '–', met: undefined });
  });

  it('judges no goal in a quick run', () => {
    const quick = results([size('spear', 2, 5000, 200), size('spear', 8, 12_000, 230), size('b0', 2, 6000, 150), size('b0', 8, 5000, 300)], true);
    expect(ratios(quick).every((r) => r.met === undefined)).toBe(true);
  });

  it('compares sizes only when there are two', () => {
    const one = { ...results([size('spear', 2, 5000, 200), size('b0', 2, 5000, 300)]), settings: scaleSettings(false, { BENCH_SCALE_SIZES: '2', BENCH_SCALE_SYSTEMS: 'spear,b0' }) };
    expect(ratios(one).map((r) => r.what)).toEqual(['1:1: delivered msgs/s under p99 < 100 ms at 2 nodes, Spear / B0', 'fanout: delivered msgs/s under p99 < 100 ms at 2 nodes, Spear / B0']);
  });

  it('with several runs, reads each ratio per run and judges their median', () => {
    const runs = [1, 2, 3].flatMap((n) => [size('spear', 2, 5000, 200, { run: n }), size('spear', 8, 12_000, [230, 300, 250][n - 1]!, { run: n }), size('b0', 2, 6000, 150, { run: n }), size('b0', 8, [5000, 4000, 8000][n - 1]!, 300, { run: n })]);
    const three = { ...results(runs), settings: { ...results([]).settings, systems: ['spear', 'b0'] as ScaleSystem[], runs: 3 } };
    const cpu = ratios(three).find((r) => r.what.startsWith('Spear 1:1'))!;
    expect(cpu).toMatchObject({ perRun: [1.15, 1.5, 1.25], value: 1.25, met: false });
    const rate = ratios(three).find((r) => r.what.startsWith('1:1') && r.what.endsWith('Spear / B0'))!;
    expect(rate).toMatchObject({ perRun: [2.4, 3, 1.5], value: 2.4, met: true });
    const md = markdown(three, 'npm run bench:scale', false);
    expect(md).toContain('| Spear | 8 | 2 | 1:1 across nodes | 12,000 | 60 | 12,200 | 300 (20) |');
    expect(md).toContain('| 1.25× (runs: 1.15×, 1.5×, 1.25×) | <= 1.2x (**not met**) |');
  });

  it('takes the median of what is there', () => {
    expect(median([3, undefined, 1, 2])).toBe(2);
    expect(median([4, 1])).toBe(2.5);
    expect(median([undefined])).toBeUndefined();
  });

  it('puts every size and ratio in the tables', () => {
    const md = markdown(run, 'npm run bench:scale', false);
    expect(md).toContain('| Spear | 8 | 1:1 across nodes | 12,000 | 60 | 12,200 | 230 (20) |');
    expect(md).toContain('| 1:1: delivered msgs/s under p99 < 100 ms at 8 nodes, Spear / B0 | 2.4× | >= 2x (met) |');
  });
});

describe('problemsOf', () => {
  it('is empty for a clean run', () => {
    expect(problemsOf(results([size('spear', 2, 5000, 200)]))).toEqual([]);
  });

  it('names lost messages, failed connections, missing workloads and sizes that did not run', () => {
    const lost = size('spear', 2, 5000, 200, { loss: { acked: 10, lost: 2, duplicates: 0, misrouted: 0, orderViolations: 0, disconnects: 0 } });
    const noFanout = size('b0', 4, 5000, 200, { workloads: { '1:1': workload(5000, 200) }, errors: ['3 of 100 users could not join bench-scale: no fan-out'] });
    const run = { ...results([lost, noFanout]), failed: [{ system: 'spear' as const, nodes: 8, error: 'spear-spear-8 did not start' }] };
    const problems = problemsOf(run);
    expect(problems).toContain('spear × 8: spear-spear-8 did not start');
    expect(problems.some((p) => p.startsWith('spear × 2: loss check') && p.includes('"lost":2'))).toBe(true);
    expect(problems).toContain('b0 × 4: no fanout step ran');
    expect(problems).toContain('b0 × 4: 3 of 100 users could not join bench-scale: no fan-out');
  });

  it("fails on Spear's loss or disorder always, a baseline's only in quick mode (a full run reports it)", () => {
    const disorder = { acked: 10, lost: 0, duplicates: 0, misrouted: 0, orderViolations: 3, disconnects: 0 };
    const run = results([size('spear', 2, 5000, 200, { loss: disorder }), size('b0', 2, 5000, 200, { loss: disorder })]);
    expect(problemsOf(run).map((p) => p.split(':')[0])).toEqual(['spear × 2']);
    expect(problemsOf({ ...run, settings: { ...run.settings, quick: true } }).map((p) => p.split(':')[0])).toEqual(['spear × 2', 'b0 × 2']);
    expect(markdown(run, 'npm run bench:scale', false)).toContain('B0 × 2 0 of 10 (3 out of order)');
  });

  it('in quick mode, also anything undelivered or refused', () => {
    const r = size('b0s', 2, 5000, 200);
    r.workloads['1:1']!.ramp.steps[0] = step(3000, 3000, 20, { undelivered: 4, refused: { rate_limited: 1 } });
    expect(problemsOf(results([r], true))).toEqual(['b0s × 2: 1:1 at 3000/s left 4 undelivered, 0 unanswered, 1 refused (received 15000)']);
    expect(problemsOf(results([r], false))).toEqual([]);
  });
});

describe('withScaleBlock', () => {
  it('appends the section with its markers the first time, and replaces only the block after', () => {
    const first = withScaleBlock('# Benchmarks\n\nother text\n', 'table one');
    expect(first).toContain(`## Scale: 2, 4 and 8 nodes (issue #20)`);
    expect(first).toContain(`${BEGIN}\ntable one\n${END}\n`);
    const second = withScaleBlock(`${first}\n## Later section\n`, 'table two');
    expect(second).toContain(`${BEGIN}\ntable two\n${END}`);
    expect(second).not.toContain('table one');
    expect(second).toContain('other text');
    expect(second).toContain('## Later section');
    expect(second.match(/## Scale/g)).toHaveLength(1);
  });

  it('refuses a file with one marker only', () => {
    expect(() => withScaleBlock(`x\n${BEGIN}\n`, 't')).toThrow(/must both be there/);
  });
});
