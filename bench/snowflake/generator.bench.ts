/**
 * Snowflake generator throughput: `node --import tsx bench/snowflake/generator.bench.ts`
 *
 * One worker can issue at most 4096 ids per ms, so on the real clock the best
 * possible rate is 4,096,000 ids/s; each path is reported as a ratio of that.
 * Every measured id is checked against the previous one (strict increase, so
 * no duplicates) inside the timed loop, so the figures include that check.
 *
 * The "headroom" runs use a virtual clock that moves on as soon as a
 * millisecond's 4096 ids are issued, so nothing ever waits: they show the CPU
 * cost per id (reported per CPU-second, so load does not skew it), i.e. how
 * much slack the real-clock runs have. On the real clock a worker that loses
 * the CPU loses those milliseconds' ids for good, so the ratio also reflects
 * how busy the machine is: each run prints the share of wall time it got the
 * CPU, and the load average is printed.
 *
 * BENCH_SECONDS (default 3) sets the length of each real-clock run.
 */
import { cpus, loadavg } from 'node:os';
import { DEFAULT_EPOCH_MS, IdRangeCursor, SnowflakeGenerator, compareIds as importedCompareIds } from '@spear/snowflake';

// tsx compiles imports to property getters (two deep through index.ts), which
// cost ~15% of the check loop in a profile; bundled code has no such getters.
const compareIds = importedCompareIds;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const LIMIT = 4_096_000;

interface Result {
  name: string;
  ids: number;
  ms: number;
  /** CPU time this process got during the run, as a share of wall time; below 1 means it was descheduled. */
  cpuShare: number;
  violations: number;
}

/** Runs `step` (which issues ids and returns how many, counting order violations in `check`) for `seconds`. */
function run(name: string, seconds: number, step: (check: (id: string) => void) => number): Result {
  let prev = '';
  let violations = 0;
  const check = (id: string) => {
    if (prev !== '' && compareIds(prev, id) >= 0) violations++;
    prev = id;
  };
  // Warm-up so the JIT has compiled the hot paths before the clock starts.
  for (let i = 0; i < 200; i++) step(check);
  prev = '';
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  let ids = 0;
  let nextReport = start + 1000;
  for (let now = start; now < end; now = performance.now()) {
    ids += step(check);
    if (now >= nextReport) {
      process.stdout.write(`  ${name}: ${((now - start) / 1000).toFixed(0)} s, ${ids.toLocaleString('en-US')} ids\n`);
      nextReport += 1000;
    }
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const result = { name, ids, ms, cpuShare: (cpu.user + cpu.system) / 1000 / ms, violations };
  const rate = (result.ids / result.ms) * 1000;
  process.stdout.write(
    `  ${name}: ${Math.round(rate).toLocaleString('en-US')} ids/s (${(rate / LIMIT).toFixed(3)}x of 4,096,000), ` +
      `${violations} order violations, cpu ${(result.cpuShare * 100).toFixed(0)}% of wall, ${(rate / result.cpuShare / 1e6).toFixed(1)}M ids per CPU-second\n`,
  );
  return result;
}

/**
 * Unix ms that advances one ms every `readsPerMs` reads, so that a generator
 * reading it never waits: next() reads once per id (4096 reads per ms), the
 * batch methods read once per millisecond's chunk (1).
 */
function virtualClock(readsPerMs: number): () => number {
  let reads = 0;
  const base = Date.now();
  return () => base + Math.floor(reads++ / readsPerMs);
}

const nextPath = (generator: SnowflakeGenerator) => (check: (id: string) => void) => {
  for (let i = 0; i < 1024; i++) check(generator.next());
  return 1024;
};

const rangePath = (generator: SnowflakeGenerator) => {
  const cursor = new IdRangeCursor();
  return (check: (id: string) => void) => {
    cursor.pushAll(generator.nextRanges(4096));
    for (let id = cursor.next(); id !== undefined; id = cursor.next()) check(id);
    return 4096;
  };
};

const batchPath = (generator: SnowflakeGenerator) => (check: (id: string) => void) => {
  for (const id of generator.nextBatch(4096)) check(id);
  return 4096;
};

/** The obvious alternative to the cursor: one BigInt addition and conversion per id. */
const bigintRangePath = (generator: SnowflakeGenerator) => (check: (id: string) => void) => {
  for (const range of generator.nextRanges(4096)) {
    const start = BigInt(range.start);
    for (let i = 0; i < range.count; i++) check(String(start + BigInt(i)));
  }
  return 4096;
};

process.stdout.write(`snowflake generator bench: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${SECONDS} s per real-clock run, load average ${loadavg()[0]!.toFixed(2)}\n`);
process.stdout.write(`real clock (Date.now), epoch ${new Date(DEFAULT_EPOCH_MS).toISOString()}:\n`);
const results: Result[] = [];
let worker = 0;
results.push(run('next()', SECONDS, nextPath(new SnowflakeGenerator({ workerId: worker++ }))));
results.push(run('nextRanges(4096)+cursor', SECONDS, rangePath(new SnowflakeGenerator({ workerId: worker++ }))));
results.push(run('nextBatch(4096)', SECONDS, batchPath(new SnowflakeGenerator({ workerId: worker++ }))));
// The headroom runs replace Date.now with a cheap counter, so show what the real clock costs next() per id.
const clockCalls = 2_000_000;
const clockStart = performance.now();
for (let i = 0; i < clockCalls; i++) Date.now();
const clockNs = ((performance.now() - clockStart) * 1e6) / clockCalls;
process.stdout.write(`Date.now(): ${clockNs.toFixed(0)} ns per call (next() reads it once per id)\n`);
process.stdout.write('headroom (virtual clock, never waits):\n');
const headroom: Result[] = [];
const headroomSeconds = Math.max(1, SECONDS / 3);
headroom.push(run('next()', headroomSeconds, nextPath(new SnowflakeGenerator({ workerId: worker++, clock: virtualClock(4096) }))));
headroom.push(run('nextRanges(4096)+cursor', headroomSeconds, rangePath(new SnowflakeGenerator({ workerId: worker++, clock: virtualClock(1) }))));
headroom.push(run('nextBatch(4096)', headroomSeconds, batchPath(new SnowflakeGenerator({ workerId: worker++, clock: virtualClock(1) }))));
headroom.push(run('nextRanges+BigInt per id', headroomSeconds, bigintRangePath(new SnowflakeGenerator({ workerId: worker++, clock: virtualClock(1) }))));

const rate = (r: Result) => (r.ids / r.ms) * 1000;
const violations = [...results, ...headroom].reduce((sum, r) => sum + r.violations, 0);
const summary = results
  .map((r) => `${r.name} ${(rate(r) / 1e6).toFixed(2)}M/s=${(rate(r) / LIMIT).toFixed(3)}x (cpu ${(r.cpuShare * 100).toFixed(0)}%)`)
  .join(', ');
// Per CPU-second, so that time the process was descheduled does not count against it.
const spare = headroom.map((r) => `${r.name} ${(rate(r) / r.cpuShare / 1e6).toFixed(1)}M`).join(', ');
const load = loadavg().map((l) => l.toFixed(2)).join(' ');
process.stdout.write(`RESULT snowflake: ${summary} of 4.096M/s; headroom (ids per CPU-second) ${spare}; duplicates/order violations ${violations}; Date.now ${clockNs.toFixed(0)} ns; load ${load}\n`);
process.exitCode = violations === 0 ? 0 : 1;
