/**
 * libs/snowflake beside the npm package `snowflake-id` (1.1.0), the one the
 * seed's card names: `node --import tsx bench/snowflake/snowflake-id-package.bench.ts`
 *
 * Each generator issues ids as fast as it can for BENCH_SECONDS (default 2) on
 * one worker id, in alternating rounds (BENCH_ROUNDS, default 3). Reported: ids/s
 * (the limit of the layout is 4,096,000/s), ids issued more than once, and ids
 * not greater than the one before (snowflakes must increase per worker).
 * Every id is kept for the duplicate count, so runs are short.
 *
 * Then past the limit: a slow clock (one ms per 10,000 reads, Date.now stubbed
 * for the package, which reads it directly) makes both issue more than 4,096
 * ids within one millisecond, 100,000 ids each; the layout allows 4,096, so a
 * generator must wait for the next millisecond rather than repeat an id.
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { DEFAULT_EPOCH_MS, SnowflakeGenerator, compareIds } from '@spear/snowflake';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Outcome {
  name: string;
  perSecond: number;
  duplicates: number;
  notIncreasing: number;
}

function measure(name: string, next: () => string): Outcome {
  const ids: string[] = [];
  const started = performance.now();
  const until = started + SECONDS * 1000;
  while (performance.now() < until) for (let i = 0; i < 1000; i++) ids.push(next());
  const seconds = (performance.now() - started) / 1000;
  let notIncreasing = 0;
  for (let i = 1; i < ids.length; i++) if (compareIds(ids[i]!, ids[i - 1]!) <= 0) notIncreasing++;
  return { name, perSecond: ids.length / seconds, duplicates: ids.length - new Set(ids).size, notIncreasing };
}

const ours = new SnowflakeGenerator({ workerId: 1, epochMs: DEFAULT_EPOCH_MS });
// A CommonJS module whose class is its `default` export (Babel 6 output, no types).
type PackageGenerator = new (options: { mid: number; offset: number }) => { generate(): string };
const { default: SnowflakeId } = createRequire(__filename)('snowflake-id') as { default: PackageGenerator };
const pkg = new SnowflakeId({ mid: 1, offset: DEFAULT_EPOCH_MS });

console.log(`snowflake-id vs libs/snowflake: ${ROUNDS} rounds of ${SECONDS} s each; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}`);
const results: Outcome[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const outcome of [measure('libs/snowflake', () => ours.next()), measure('snowflake-id 1.1.0', () => pkg.generate())]) {
    results.push(outcome);
    console.log(`round ${round} ${outcome.name}: ${Math.round(outcome.perSecond).toLocaleString('en-US')} ids/s, ${outcome.duplicates} duplicates, ${outcome.notIncreasing} not increasing`);
  }
}
/** A clock that moves one ms per `readsPerMs` reads: more than 4,096 ids fall in one millisecond. */
function slowClock(readsPerMs: number): () => number {
  let reads = 0;
  const start = Date.now();
  return () => start + Math.floor(reads++ / readsPerMs);
}

function pastTheLimit(name: string, next: () => string): Outcome {
  const ids = Array.from({ length: 100_000 }, next);
  let notIncreasing = 0;
  for (let i = 1; i < ids.length; i++) if (compareIds(ids[i]!, ids[i - 1]!) <= 0) notIncreasing++;
  return { name, perSecond: NaN, duplicates: ids.length - new Set(ids).size, notIncreasing };
}

const past = [pastTheLimit('libs/snowflake', ((g) => () => g.next())(new SnowflakeGenerator({ workerId: 1, epochMs: DEFAULT_EPOCH_MS, clock: slowClock(10_000) })))];
const realNow = Date.now;
Date.now = slowClock(10_000);
try {
  past.push(pastTheLimit('snowflake-id 1.1.0', ((g) => () => g.generate())(new SnowflakeId({ mid: 1, offset: DEFAULT_EPOCH_MS }))));
} finally {
  Date.now = realNow;
}
for (const p of past) console.log(`past 4,096 per ms, ${p.name}: 100,000 ids, ${p.duplicates} duplicates, ${p.notIncreasing} not increasing`);
console.log(JSON.stringify({ seconds: SECONDS, rounds: ROUNDS, results, pastTheLimit: past.map(({ name, duplicates, notIncreasing }) => ({ name, duplicates, notIncreasing })) }));
