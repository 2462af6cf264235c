/**
 * What `npm run bench` (full) and `npm run bench:quick` (small, in CI: it
 * checks that every message arrived, not speed) run. Each field can be
 * overridden with an environment variable (named in `ENV`).
 */
export interface CompareSettings {
  quick: boolean;
  users: number;
  workers: number;
  /** Connections in flight per worker during the connect storm. */
  concurrency: number;
  /** Scenario 1: offered 1:1 msgs/s, in order, until one saturates. */
  rates: number[];
  stepSeconds: number;
  drainMs: number;
  /** Scenario 1 again with only this many of the users sending and receiving (the others stay connected, idle); 0 skips it. */
  fewUsers: number;
  /** How many times the step at 50% of B0's saturation runs, for B0 and for Spear (its p99 is judged on the median). */
  halfRuns: number;
  /** Scenario 2: publishes per second to the one group of every user. */
  fanoutRates: number[];
  /** Scenario 4: the offered rate at which the Kafka and Redis buses are compared. */
  busRate: number;
  /** How many times scenario 4's step runs on each bus (its p99 is judged on the medians). */
  busRuns: number;
  /**
   * Seconds of unmeasured 1:1 traffic at `busRate` on the Kafka bus before
   * scenario 4, on top of `warmupSeconds`: the broker's JVM compiles its
   * request path for minutes, and cold it spends about twice the CPU per
   * message (docs/BENCHMARKS.md, "Kafka bus").
   */
  kafkaWarmupSeconds: number;
  /** Scenario 3: connections on one node (0 skips it). */
  idleConnections: number;
  /**
   * Seconds of unmeasured 1:1 traffic at `busRate` before a system's first
   * measured step (0: none). Every process starts cold (V8's and the Kafka
   * broker's JIT, connection pools, the consumer's first fetches); the
   * comparison is between warm systems, warmed alike.
   */
  warmupSeconds: number;
}

const FULL: CompareSettings = {
  quick: false,
  users: 10_000,
  workers: 4,
  concurrency: 250,
  rates: [1000, 2000, 3000, 4000, 5000, 6000, 8000, 10_000, 12_000, 16_000, 20_000],
  fewUsers: 2000,
  halfRuns: 3,
  stepSeconds: 5,
  drainMs: 15_000,
  fanoutRates: [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 40],
  busRate: 1000,
  busRuns: 3,
  kafkaWarmupSeconds: 90,
  idleConnections: 19_000,
  warmupSeconds: 15,
};

const QUICK: CompareSettings = {
  quick: true,
  users: 400,
  workers: 2,
  concurrency: 50,
  rates: [200, 400],
  fewUsers: 100,
  halfRuns: 1,
  stepSeconds: 2,
  drainMs: 10_000,
  fanoutRates: [2, 5],
  busRate: 200,
  busRuns: 1,
  kafkaWarmupSeconds: 0,
  idleConnections: 400,
  warmupSeconds: 1,
};

const ENV: Record<keyof Omit<CompareSettings, 'quick'>, string> = {
  users: 'BENCH_USERS',
  workers: 'BENCH_WORKERS',
  concurrency: 'BENCH_CONCURRENCY',
  rates: 'BENCH_RATES',
  fewUsers: 'BENCH_FEW_USERS',
  halfRuns: 'BENCH_HALF_RUNS',
  stepSeconds: 'BENCH_STEP_SECONDS',
  drainMs: 'BENCH_DRAIN_MS',
  fanoutRates: 'BENCH_FANOUT_RATES',
  busRate: 'BENCH_BUS_RATE',
  busRuns: 'BENCH_BUS_RUNS',
  kafkaWarmupSeconds: 'BENCH_KAFKA_WARMUP_SECONDS',
  idleConnections: 'BENCH_IDLE_CONNECTIONS',
  warmupSeconds: 'BENCH_WARMUP_SECONDS',
};

export function compareSettings(argv: string[], env: NodeJS.ProcessEnv): CompareSettings {
  const s: CompareSettings = { ...(argv.includes('--quick') ? QUICK : FULL) };
  for (const [field, name] of Object.entries(ENV) as Array<[keyof typeof ENV, string]>) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const values = raw.split(',').map(Number);
    if (values.some((v) => !Number.isFinite(v) || v < 0)) throw new Error(`${name}=${raw}: expected non-negative numbers`);
    (s as unknown as Record<string, unknown>)[field] = Array.isArray(s[field]) ? values : values[0];
  }
  if (s.workers < 1 || s.users < 4 * s.workers) throw new Error('BENCH_USERS must be at least 4 per worker');
  if (s.fewUsers > s.users) throw new Error(`BENCH_FEW_USERS=${s.fewUsers}: more than BENCH_USERS (${s.users})`);
  for (const field of ['halfRuns', 'busRuns'] as const) {
    if (!Number.isInteger(s[field]) || s[field] < 1) throw new Error(`${ENV[field]}=${s[field]}: expected a whole number of runs, at least 1`);
  }
  if (Math.ceil(s.users / s.workers) > 18_000) throw new Error('more than 18,000 users per worker: the machine allows 20,000 file descriptors per process');
  return s;
}
