'use strict';
// Plain CommonJS: the profiling wrapper of the spear bundle (bench/support/profiling-dist.ts) runs
// under bare node, and bench/baseline/b0-server.ts under tsx; both profile through this.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * The first SIGUSR2 starts V8's CPU profiler (with `heap`: its sampling heap
 * profiler, every allocation, also of objects already collected: what the
 * young generation churns through; with `heap: 'survivors'` only objects that
 * outlived a young GC: what makes scavenges slow and fills the old
 * generation; with `heap: 'live'` only objects still alive when it stops:
 * what each connection keeps, and anything that lives long); the second writes `<dir>/<name>.cpuprofile` (or
 * `.heapprofile`). `--cpu-prof` itself is refused in NODE_OPTIONS and would
 * cover the whole life.
 */
function profileOnSignal({ dir, name, heap = false }) {
  const session = new Session();
  session.connect();
  const file = join(dir, `${name}${heap ? '.heapprofile' : '.cpuprofile'}`);
  const write = (error, result) => {
    if (!error) writeFileSync(file, JSON.stringify(result.profile));
  };
  const sampling = { samplingInterval: 16384, includeObjectsCollectedByMajorGC: heap !== 'live', includeObjectsCollectedByMinorGC: heap !== 'survivors' && heap !== 'live' };
  let running = false;
  process.on('SIGUSR2', () => {
    running = !running;
    if (heap && running) session.post('HeapProfiler.enable', () => session.post('HeapProfiler.startSampling', sampling));
    else if (heap) {
      // Garbage not collected yet would count: for survivors the young generation's since the last
      // scavenge (up to 64 MiB); for live also what was promoted and has died since (a full GC).
      if (heap !== true) collect(heap === 'live' ? 'major' : 'minor');
      session.post('HeapProfiler.stopSampling', write);
    }
    else if (running) session.post('Profiler.enable', () => session.post('Profiler.start'));
    else session.post('Profiler.stop', write);
  });
}

/** A GC of `type` ('minor' or 'major') now. Turns on --expose-gc for contexts made after it (profiling runs only). */
function collect(type) {
  require('node:v8').setFlagsFromString('--expose-gc');
  require('node:vm').runInNewContext('gc')({ type });
}

/** BENCH_HEAP_PROF as profileOnSignal's `heap`: '1' every allocation, 'survivors', 'live'; anything else: a CPU profile. */
function heapModeFromEnv(value = process.env.BENCH_HEAP_PROF) {
  return value === 'survivors' || value === 'live' ? value : value === '1';
}

module.exports = { profileOnSignal, heapModeFromEnv };
