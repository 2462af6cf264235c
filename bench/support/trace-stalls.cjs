'use strict';
// Event-loop stalls and GC pauses of one process, with the machine's clock, for `bench/compare/stall-report.ts`.
//   NODE_OPTIONS="--require $PWD/bench/support/trace-stalls.cjs" BENCH_STALL_LOG=/tmp/stalls.log ...
// Appends `<epoch ms at the end> <role>:<pid> stall <ms>` for every turn of a 2 ms interval that came more
// than BENCH_STALL_MS (12) late (a long task, a GC or a process waiting for a core), and
// `<epoch ms at the end> <role>:<pid> gc<kind> <ms>` for every GC pause over 4 ms (kind: 1 young, 4 incremental
// marking, 8 weak callbacks, 2 full). Plain CommonJS: it is preloaded into bundles, tsx scripts and load clients alike.
const { appendFileSync } = require('node:fs');
const { PerformanceObserver } = require('node:perf_hooks');

const file = process.env.BENCH_STALL_LOG;
if (file) {
  const limitMs = Number(process.env.BENCH_STALL_MS || 12);
  const TICK_MS = 2;
  const args = process.argv.slice(1).join(' ');
  const known = args.match(/client-worker|b0-server|apps\/(spear|ticket|idgen|stat)|steady\.bench|compare\/run/);
  const role = `${known ? (known[1] ?? known[0]) : 'other'}:${process.pid}`;
  const at = (ms) => Math.round(performance.timeOrigin + ms);
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const late = now - last - TICK_MS;
    last = now;
    if (late > limitMs) appendFileSync(file, `${at(now)} ${role} stall ${late.toFixed(1)}\n`);
  }, TICK_MS).unref();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.duration > 4) appendFileSync(file, `${at(entry.startTime + entry.duration)} ${role} gc${entry.detail?.kind ?? ''} ${entry.duration.toFixed(1)}\n`);
    }
  }).observe({ entryTypes: ['gc'] });
}
