/**
 * The load side of bench/ticket/tickets.bench.ts: one autocannon run against
 * a target (POST bodies round robin, each answer checked), with the CPU the
 * target, Redis and this process spent, and the summary of several runs.
 */
import autocannon from 'autocannon';
import { checkInterrupted, LatencyRecorder, ownCpu, procCpuUs, type LatencySummary } from '../rpc/measure';
import type { Window } from './cpu-profile';

const JSON_HEADERS = { 'content-type': 'application/json' };

export type TargetName = 'hello' | 'ticket';

export interface Target {
  name: TargetName;
  url: string;
  path: string;
  pid: number;
  /** Checks one 2xx answer to the pair `i`; false counts as a wrong answer. */
  check?: (body: string, i: number) => boolean;
}

export interface Tally {
  ms: number;
  responses: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  wrong: number;
  statusCodes: Record<string, number>;
  latency: LatencyRecorder;
  cpuUs: { server: number; redis: number; generator: number };
  /** When the runs were, on the monotonic clock (µs), to cut the cpu profiles to them. */
  windows: Window[];
}

export const newTally = (): Tally => ({
  ms: 0,
  responses: 0,
  ok: 0,
  non2xx: 0,
  errors: 0,
  timeouts: 0,
  wrong: 0,
  statusCodes: {},
  latency: new LatencyRecorder(),
  cpuUs: { server: 0, redis: 0, generator: 0 },
  windows: [],
});

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** What `setupRequest` leaves in autocannon's per-connection context for `onResponse`: the body's index. */
export interface BodyContext {
  i?: number;
}

/** The autocannon run in progress, if any (stopped when the bench is interrupted). */
export const autocannonRun: { instance?: autocannon.Instance } = {};

/** One autocannon run of `seconds` against `target`. */
export async function load(target: Target, bodies: string[], seconds: number, redisPid: number, connections: number): Promise<Tally> {
  const t = newTally();
  let next = Math.floor(Math.random() * bodies.length);
  const { check } = target;
  let wrong = 0;
  const request: autocannon.Request = {
    method: 'POST',
    path: target.path,
    headers: JSON_HEADERS,
    setupRequest: (req, context) => {
      const i = next++ % bodies.length;
      (context as BodyContext).i = i;
      return { ...req, body: bodies[i] };
    },
    onResponse: (status, body, context) => {
      if (check && status < 300 && !check(body, (context as BodyContext).i!)) wrong++;
    },
  };
  const before = { server: procCpuUs(target.pid), redis: procCpuUs(redisPid), generator: ownCpu() };
  const t0 = performance.now();
  const from = monotonicUs();
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon({ url: target.url, connections, pipelining: 1, duration: seconds, timeout: 10, requests: [request] }, (error, res) => {
      autocannonRun.instance = undefined;
      if (error) fail(error);
      else done(res);
    });
    autocannonRun.instance = instance;
    instance.on('response', (_client, _status, _bytes, ms) => t.latency.add(ms));
  });
  t.ms = performance.now() - t0;
  t.windows.push([from, monotonicUs()]);
  checkInterrupted();
  t.cpuUs.server += procCpuUs(target.pid) - before.server;
  t.cpuUs.redis += procCpuUs(redisPid) - before.redis;
  t.cpuUs.generator += ownCpu() - before.generator;
  let responses = 0;
  for (const [code, { count = 0 }] of Object.entries(result.statusCodeStats ?? {})) {
    t.statusCodes[code] = (t.statusCodes[code] ?? 0) + count;
    responses += count;
  }
  t.responses += responses;
  t.ok += responses - result.non2xx;
  t.non2xx += result.non2xx;
  t.errors += result.errors;
  t.timeouts += result.timeouts;
  t.wrong += wrong;
  return t;
}

/** Adds one slice's counts, latencies, CPU and windows to `total`. */
export function addTally(total: Tally, slice: Tally): void {
  for (const key of ['ms', 'responses', 'ok', 'non2xx', 'errors', 'timeouts', 'wrong'] as const) total[key] += slice[key];
  for (const [code, n] of Object.entries(slice.statusCodes)) total.statusCodes[code] = (total.statusCodes[code] ?? 0) + n;
  total.latency.merge(slice.latency);
  for (const key of ['server', 'redis', 'generator'] as const) total.cpuUs[key] += slice.cpuUs[key];
  total.windows.push(...slice.windows);
}

export interface TargetResult {
  perSecond: number;
  responses: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  wrongAnswers: number;
  statusCodes: Record<string, number>;
  latency: LatencySummary;
  /** CPU µs per request: the target process, Redis, and this process (autocannon). */
  cpuUsPerRequest: { server: number; redis: number; generator: number };
  slices: Array<{ perSecond: number; p50Us: number; p99Us: number }>;
}

export function summarize(t: Tally, slices: Tally[]): TargetResult {
  const per = (us: number) => Math.round(us / Math.max(1, t.responses));
  return {
    perSecond: Math.round((t.ok / t.ms) * 1000),
    responses: t.responses,
    ok: t.ok,
    non2xx: t.non2xx,
    errors: t.errors,
    timeouts: t.timeouts,
    wrongAnswers: t.wrong,
    statusCodes: t.statusCodes,
    latency: t.latency.summary(),
    cpuUsPerRequest: { server: per(t.cpuUs.server), redis: per(t.cpuUs.redis), generator: per(t.cpuUs.generator) },
    slices: slices.map((s) => {
      const l = s.latency.summary();
      return { perSecond: Math.round((s.ok / s.ms) * 1000), p50Us: l.p50Us, p99Us: l.p99Us };
    }),
  };
}
