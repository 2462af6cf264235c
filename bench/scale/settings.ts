import { WORKLOADS, type Workload } from './workloads';

/**
 * What the scale bench (scale.bench.ts) runs: which systems, at which sizes,
 * with how many users and load generators, and the two ramps. `--quick` is a
 * smoke run (every system × size × workload, a handful of messages each);
 * every field can be overridden with the environment variable named in `ENV`.
 */

/** The systems the scale bench knows: Spear (Redis bus), B0 (classic redis adapter), B0s (sharded redis adapter). */
export const SCALE_SYSTEMS = ['spear', 'b0', 'b0s'] as const;
export type ScaleSystem = (typeof SCALE_SYSTEMS)[number];

export interface ScaleSettings {
  quick: boolean;
  systems: ScaleSystem[];
  /** Cluster sizes: spear nodes, or B0/B0s server processes. */
  sizes: number[];
  /** Which workloads each system and size runs (1:1 always first). */
  workloads: Workload[];
  /**
   * Times the whole run (every size, every system) is repeated: the ratios
   * are read per run and reported as their median with every run's value,
   * since one run on this machine moves by more than the goals' margins.
   */
  runs: number;
  users: number;
  /** Load-generator processes (each holds users / workers connections: at most 18,000, the fd cap is 20,000). */
  workers: number;
  /** Connections in flight per worker while connecting. */
  concurrency: number;
  /** 1:1 ramp, offered msgs/s in order until one saturates; every pair crosses nodes. */
  rates: number[];
  /** Group fan-out ramp, publishes per second to the one group every user joined. */
  fanoutRates: number[];
  /**
   * The 1:1 rate (one of `rates`) and the fan-out rate (one of `fanoutRates`)
   * at which CPU per delivered message is compared between sizes and
   * systems: CPU per message falls with rate (batching), so sizes are
   * compared at the same offered rate, not each at its own best.
   */
  referenceRate: number;
  referenceFanoutRate: number;
  stepSeconds: number;
  drainMs: number;
  /**
   * Seconds with every user connected and no traffic, before the ramps (0:
   * skipped): the servers' fixed cost, which grows with the number of
   * processes whatever the traffic (timers, heartbeats, GC).
   */
  idleSeconds: number;
  /** Unmeasured 1:1 traffic at `warmupRate` before each system's first measured step (0: none). */
  warmupSeconds: number;
  warmupRate: number;
}

/** Sized for a quiet 2-core machine: ~2,000 users as in the measurement, ~25 min for 3 systems × 3 sizes. */
const FULL: ScaleSettings = {
  quick: false,
  systems: ['spear', 'b0', 'b0s'],
  sizes: [2, 4, 8],
  workloads: [...WORKLOADS],
  runs: 1,
  users: 2000,
  workers: 4,
  concurrency: 100,
  rates: [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 10_000, 12_000, 14_000, 16_000],
  fanoutRates: [2, 4, 6, 8, 10, 12, 15, 20, 25, 30, 40],
  referenceRate: 3000,
  referenceFanoutRate: 10,
  stepSeconds: 5,
  drainMs: 15_000,
  idleSeconds: 5,
  warmupSeconds: 10,
  warmupRate: 1000,
};

/** Proves the harness: every system × size × workload runs and its messages arrive (not speed). */
const QUICK: ScaleSettings = {
  quick: true,
  systems: ['spear', 'b0', 'b0s'],
  sizes: [2, 4, 8],
  workloads: [...WORKLOADS],
  runs: 1,
  users: 240,
  workers: 2,
  concurrency: 60,
  rates: [150],
  // 20 publishes in a 1 s step: enough of them land in the step's steady part (after its first 250 ms) to read a rate.
  fanoutRates: [20],
  referenceRate: 150,
  referenceFanoutRate: 20,
  stepSeconds: 1,
  drainMs: 5000,
  idleSeconds: 0,
  warmupSeconds: 0,
  warmupRate: 150,
};

type Numeric = Exclude<keyof ScaleSettings, 'quick' | 'systems' | 'workloads'>;

export const ENV: Record<Numeric | 'systems' | 'workloads', string> = {
  systems: 'BENCH_SCALE_SYSTEMS',
  sizes: 'BENCH_SCALE_SIZES',
  workloads: 'BENCH_SCALE_WORKLOADS',
  runs: 'BENCH_SCALE_RUNS',
  users: 'BENCH_USERS',
  workers: 'BENCH_WORKERS',
  concurrency: 'BENCH_CONCURRENCY',
  rates: 'BENCH_RATES',
  fanoutRates: 'BENCH_FANOUT_RATES',
  referenceRate: 'BENCH_REFERENCE_RATE',
  referenceFanoutRate: 'BENCH_REFERENCE_FANOUT_RATE',
  stepSeconds: 'BENCH_STEP_SECONDS',
  drainMs: 'BENCH_DRAIN_MS',
  idleSeconds: 'BENCH_IDLE_SECONDS',
  warmupSeconds: 'BENCH_WARMUP_SECONDS',
  warmupRate: 'BENCH_WARMUP_RATE',
};

/** Most users one load generator may hold: the machine allows 20,000 file descriptors per process. */
export const USERS_PER_WORKER_MAX = 18_000;

/** The defaults (`quick` or full) with the environment's overrides; throws naming the variable on a bad value. */
export function scaleSettings(quick: boolean, env: NodeJS.ProcessEnv): ScaleSettings {
  const s: ScaleSettings = { ...(quick ? QUICK : FULL) };
  const systems = env[ENV.systems];
  if (systems !== undefined && systems !== '') {
    const names = systems.split(',').map((v) => v.trim());
    const unknown = names.filter((n) => !(SCALE_SYSTEMS as readonly string[]).includes(n));
    if (unknown.length > 0 || names.length === 0) throw new Error(`${ENV.systems}=${systems}: expected some of ${SCALE_SYSTEMS.join(', ')}`);
    s.systems = [...new Set(names)] as ScaleSystem[];
  }
  const workloads = env[ENV.workloads];
  if (workloads !== undefined && workloads !== '') {
    const names = workloads.split(',').map((v) => v.trim());
    if (names.some((n) => !(WORKLOADS as readonly string[]).includes(n))) throw new Error(`${ENV.workloads}=${workloads}: expected some of ${WORKLOADS.join(', ')}`);
    s.workloads = WORKLOADS.filter((w) => names.includes(w));
  }
  for (const field of Object.keys(ENV) as Array<keyof typeof ENV>) {
    if (field === 'systems' || field === 'workloads') continue;
    const name = ENV[field];
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const values = raw.split(',').map(Number);
    if (values.some((v) => !Number.isFinite(v) || v < 0)) throw new Error(`${name}=${raw}: expected non-negative numbers`);
    const current = s[field];
    if (Array.isArray(current)) (s[field] as number[]) = values;
    else if (values.length !== 1) throw new Error(`${name}=${raw}: expected one number`);
    else (s[field] as number) = values[0]!;
  }
  return validated(s);
}

function validated(s: ScaleSettings): ScaleSettings {
  const fail = (message: string) => {
    throw new Error(`scale bench settings: ${message}`);
  };
  if (s.sizes.length === 0 || s.sizes.some((n) => !Number.isInteger(n) || n < 2 || n > 16)) fail(`${ENV.sizes} must be whole numbers from 2 to 16 (got ${s.sizes.join(',')})`);
  if (!Number.isInteger(s.workers) || s.workers < 1) fail(`${ENV.workers} must be a whole number >= 1`);
  if (!Number.isInteger(s.runs) || s.runs < 1 || s.runs > 9) fail(`${ENV.runs} must be a whole number from 1 to 9`);
  const largest = Math.max(...s.sizes);
  // Every worker needs at least two users per node to make a pair that crosses nodes.
  if (s.users < s.workers * largest * 4) fail(`${ENV.users} must be at least 4 per node per worker (${s.workers * largest * 4} for ${s.workers} workers and ${largest} nodes)`);
  if (Math.ceil(s.users / s.workers) > USERS_PER_WORKER_MAX) fail(`more than ${USERS_PER_WORKER_MAX.toLocaleString('en-US')} users per worker: the machine allows 20,000 file descriptors per process`);
  if (s.rates.length === 0 || s.fanoutRates.length === 0) fail(`${ENV.rates} and ${ENV.fanoutRates} need at least one rate each`);
  if (s.rates.some((r) => r <= 0) || s.fanoutRates.some((r) => r <= 0)) fail('rates must be above 0');
  // A ramp stops at its first saturated step: a lower rate after it would never run.
  if (!ascending(s.rates) || !ascending(s.fanoutRates)) fail(`${ENV.rates} and ${ENV.fanoutRates} must go up`);
  if (!s.rates.includes(s.referenceRate)) fail(`${ENV.referenceRate} (${s.referenceRate}) must be one of ${ENV.rates} (${s.rates.join(',')})`);
  if (!s.fanoutRates.includes(s.referenceFanoutRate)) fail(`${ENV.referenceFanoutRate} (${s.referenceFanoutRate}) must be one of ${ENV.fanoutRates} (${s.fanoutRates.join(',')})`);
  if (s.stepSeconds <= 0) fail(`${ENV.stepSeconds} must be above 0`);
  return s;
}

const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
