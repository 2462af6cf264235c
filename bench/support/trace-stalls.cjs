'use strict';
// Event-loop stalls and GC pauses of one process, with the machine's clock, for `bench/compare/stall-report.ts`.
//   NODE_OPTIONS="--require $PWD/bench/support/trace-stalls.cjs" BENCH_STALL_LOG=/tmp/stalls.log ...
// (NODE_OPTIONS, not the steady bench's BENCH_NODE_OPTIONS: the load clients and the bench itself are traced too.)
// Appends `<epoch ms at the end> <role>:<pid> stall <ms>` for every turn of a 5 ms interval that came more
// than BENCH_STALL_MS (12) late (a long task, a GC, or the process waiting for a core), and
// `<epoch ms at the end> <role>:<pid> gc-<minor|major|incremental|weakcb> <ms>` for every GC pause over 4 ms.
// Plain CommonJS: it is preloaded into bundles, tsx scripts and load clients alike.
const { openSync, writeSync } = require('node:fs');
const { basename } = require('node:path');
const { PerformanceObserver, constants } = require('node:perf_hooks');

const file = process.env.BENCH_STALL_LOG;
if (file) {
  // Opened once, now: a path that cannot be written fails the process at its start, not minutes into a run.
  const fd = openSync(file, 'a');
  const write = (line) => {
    try {
      writeSync(fd, line);
    } catch {
      // A full disk must not take the traced process down with it; the trace just has a gap.
    }
  };
  const limitMs = Number(process.env.BENCH_STALL_MS || 12);
  const TICK_MS = 5;
  const script = process.argv[1] ?? '';
  const known = script.match(/client-worker|b0-server|(spear|ticket|idgen|stat)\/main\.js$/);
  const role = `${known ? (known[1] ?? known[0]) : basename(script) || 'node'}:${process.pid}`;
  const at = (ms) => Math.round(performance.timeOrigin + ms);
  const GC_KINDS = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const late = now - last - TICK_MS;
    last = now;
    if (late > limitMs) write(`${at(now)} ${role} stall ${late.toFixed(1)}\n`);
  }, TICK_MS).unref();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.duration > 4) write(`${at(entry.startTime + entry.duration)} ${role} gc-${GC_KINDS[entry.detail?.kind] ?? entry.detail?.kind} ${entry.duration.toFixed(1)}\n`);
    }
  }).observe({ entryTypes: ['gc'] });
}
