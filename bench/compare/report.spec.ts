import { describe, expect, it } from 'vitest';
import { compareSettings } from './settings';
import { markdown, problemsOf, rows, type CompareResults, type SystemResult } from './report';
import { medianByP99, type MeasuredStep } from './scenarios';

const latency = (p99: number) => ({ count: 100, p50: p99 / 4, p99, p999: p99 * 1.2, max: p99 * 1.5 });

/** A step of 5 s that delivered `rate` msgs/s with `cpu` CPUs per named process. */
function step(rate: number, p99: number, cpu: Record<string, number>): MeasuredStep {
  return { offered: rate, deliveredPerSecond: rate, latency: latency(p99), sent: rate * 5, acked: rate * 5, refused: {}, received: rate * 5, unsettled: 0, undelivered: 0, maxLagMs: 0, cpu: { machine: 1.5, 'gen-1': 0.2, redis: 0.3, ...cpu }, wallMs: 5000, saturated: false };
}

function system(name: string, best: number, half?: MeasuredStep): SystemResult {
  const steps = [step(best, 40, {})];
  return {
    name,
    connect: { connected: 100, failed: 0, allReadyMs: 1000, readyMs: latency(10), nodes: { a: 50, b: 50 }, crossPairs: 50, samePairs: 0 },
    ramp: { steps, bestUnderP99: best, peak: best + 500 },
    fanout: { steps, bestUnderP99: best * 10, peak: best * 10 },
    ...(half ? { atHalfOfB0: half, halfRate: half.offered } : {}),
    loss: { acked: 1000, lost: 0, duplicates: 0, misrouted: 0, orderViolations: 0, disconnects: 0 },
  };
}

const machine = { date: '2026-12-04T00:00:00.000Z', node: 'v24', nproc: 2, cpu: 'x', loadavg: [0.1, 0.1, 0.1], commit: 'abc' } as unknown as CompareResults['machine'];

function run(withOthers: boolean): CompareResults {
  // At 4,000 msgs/s: B0's two processes 0.4 CPUs each = 200 µs per message; Spear's nodes 0.5 each plus ticket and idgen 0.1 = 275 µs.
  const b0 = system('b0', 8000, step(4000, 20, { 'b0-1': 0.4, 'b0-2': 0.4 }));
  const spear = system('spear-redis', 6000, step(4000, 30, { 'spear-1': 0.5, 'spear-2': 0.5, ticket: 0.05, idgen: 0.05 }));
  const others = withOthers ? { b0s: system('b0s', 7000), b1: system('b1', 3000) } : {};
  return { machine, settings: compareSettings([], {}), systems: { b0, ...others, spearRedis: spear, spearKafka: system('spear-kafka', 0) } };
}

describe('compare report', () => {
  it("compares Spear's server CPU per message with B0's at 50% of B0's saturation: judged with Redis, shown without; load generators apart", () => {
    const [withRedis, apart] = rows(run(false)).filter((r) => r.scenario.includes('server CPU µs per delivered message'));
    // Redis 0.3 CPU in both: B0 (0.8 + 0.3) / 4,000 = 275 µs, Spear (1.1 + 0.3) / 4,000 = 350 µs.
    expect([withRedis!.scenario.endsWith('Redis included'), withRedis!.b0, withRedis!.spear, withRedis!.ratio, withRedis!.met]).toEqual([true, '275', '350', 1.27, false]);
    expect([apart!.scenario.endsWith('Redis apart'), apart!.b0, apart!.spear, apart!.ratio, apart!.met]).toEqual([true, '200', '275', 1.38, undefined]);
  });

  it('holds #21 to 1.0x of B0 for the 1:1 rate under the p99 bound', () => {
    const best = rows(run(false))[0]!;
    expect([best.ratio, best.goal.startsWith('>= 1.0x'), best.met]).toEqual([0.75, true, false]);
  });

  it("judges the p99 at 50% of B0's saturation on the median of its runs, and the CPU per message on their mean", () => {
    const r = run(false);
    const b0Runs = [step(4000, 20, { 'b0-1': 0.4, 'b0-2': 0.4 }), step(4000, 90, { 'b0-1': 0.4, 'b0-2': 0.4 }), step(4000, 10, { 'b0-1': 0.2, 'b0-2': 0.2 })];
    const spearRuns = [step(4000, 30, { 'spear-1': 0.5, 'spear-2': 0.5 }), step(4000, 15, { 'spear-1': 0.5, 'spear-2': 0.5 }), step(4000, 500, { 'spear-1': 0.5, 'spear-2': 0.5 })];
    const b0 = { ...r.systems.b0, halfRuns: b0Runs, atHalfOfB0: medianByP99(b0Runs) };
    const spear = { ...r.systems.spearRedis, halfRuns: spearRuns, atHalfOfB0: medianByP99(spearRuns) };
    const judged = rows({ ...r, systems: { ...r.systems, b0, spearRedis: spear } });
    const p99 = judged.find((x) => x.scenario.includes('p50 / p99 / p999'))!;
    expect([p99.ratio, p99.met]).toEqual([1.5, false]); // 30 ms against 20 ms: neither one run's 500 ms nor its 15 ms
    expect(p99.scenario).toContain('median of 3 runs (p99 each: B0 20, 90, 10; Spear 30, 15, 500 ms)');
    const [withRedis, apart] = judged.filter((x) => x.scenario.includes('server CPU µs'));
    expect([withRedis!.b0, withRedis!.spear]).toEqual(['242', '325']); // B0: (275 + 275 + 175) / 3
    expect([apart!.b0, apart!.spear]).toEqual(['167', '250']); // B0: (200 + 200 + 100) / 3
    expect(apart!.scenario).toContain('(mean of the runs)');
  });

  it("judges the Kafka bus's p99 against the Redis bus's on the median of each one's runs", () => {
    const r = run(false);
    const redisRuns = [step(1000, 4, {}), step(1000, 30, {}), step(1000, 5, {})];
    const kafkaRuns = [step(1000, 12, {}), step(1000, 14, {}), step(1000, 60, {})];
    const spearRedis = { ...r.systems.spearRedis, busRuns: redisRuns, atBusRate: medianByP99(redisRuns) };
    const spearKafka = { ...r.systems.spearKafka, busRuns: kafkaRuns, atBusRate: medianByP99(kafkaRuns) };
    const bus = rows({ ...r, systems: { ...r.systems, spearRedis, spearKafka } }).find((x) => x.scenario.startsWith('4. '))!;
    expect([bus.ratio, bus.met]).toEqual([2.8, true]); // 14 ms against 5 ms: neither Redis's 30 ms run nor Kafka's 60 ms one
    expect(bus.scenario).toContain('median of 3 runs (p99 each: Redis 4, 30, 5; Kafka 12, 14, 60 ms)');
  });

  it('judges the 1:1 ramp with few users against B0 when the run has it', () => {
    const r = run(false);
    const few = (best: number) => ({ steps: [step(best, 40, {})], bestUnderP99: best, peak: best });
    expect(rows(r).some((x) => x.scenario.includes('of the users'))).toBe(false);
    const judged = rows({ ...r, systems: { ...r.systems, b0: { ...r.systems.b0, rampFew: few(10_000) }, spearRedis: { ...r.systems.spearRedis, rampFew: few(12_000) } } });
    const row = judged.find((x) => x.scenario.includes('with 2,000 of the users'))!;
    expect([row.b0, row.spear, row.ratio, row.met]).toEqual(['10,000', '12,000', 1.2, true]);
  });

  it('adds a row per other baseline (B0s, B1) only when the run has it, with Spear divided by it', () => {
    expect(rows(run(false)).some((r) => /B0s|B1/.test(r.scenario))).toBe(false);
    const b1 = rows(run(true)).filter((r) => r.scenario.includes(': B1 '));
    expect(b1.map((r) => [r.b0, r.ratio])).toEqual([['3,000', 2], ['30,000', 2]]);
    const text = markdown(run(true));
    expect(text).toContain('B1 = the same with @socket.io/redis-streams-adapter and connection state recovery');
    expect(text).toContain('B1 0 of 1,000');
    expect(text).toContain('B1, 1:1 ramp:');
  });
});

describe('compare problems', () => {
  const losing = (name: string, quick: boolean) => {
    const r = run(true);
    const lost = { acked: 1000, lost: 7, duplicates: 0, misrouted: 0, orderViolations: 0, disconnects: 0 };
    const systems = { ...r.systems, ...(name === 'b1' ? { b1: { ...r.systems.b1!, loss: lost } } : { spearRedis: { ...r.systems.spearRedis, loss: lost } }) };
    return problemsOf({ ...r, systems, settings: compareSettings(quick ? ['--quick'] : [], {}) });
  };

  it("fails a run on any acked send Spear lost; a baseline's loss is a figure of a full run, a problem of a quick one", () => {
    expect(losing('spear-redis', false)).toContain('spear-redis: 7 acked 1:1 messages never arrived');
    expect(losing('b1', false)).toEqual([]);
    expect(losing('b1', true)).toContain('b1: 7 acked 1:1 messages never arrived');
  });
});
