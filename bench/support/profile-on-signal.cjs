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
    else if (heap === 'survivors' || heap === 'live') {
      // Without a scavenge first, the young generation's garbage since the last one (up to its whole
      // capacity, 64 MiB) would count as surviving: it has not been collected yet.
      minorGc();
      session.post('HeapProfiler.stopSampling', write);
    } else if (heap) session.post('HeapProfiler.stopSampling', write);
    else if (running) session.post('Profiler.enable', () => session.post('Profiler.start'));
    else session.post('Profiler.stop', write);
  });
}

/** A young-generation GC now (--expose-gc turned on for this one call; the flag does not stay in the process's argv). */
function minorGc() {
  const v8 = require('node:v8');
  v8.setFlagsFromString('--expose-gc');
  const gc = require('node:vm').runInNewContext('gc');
  gc({ type: 'minor' });
}

module.exports = { profileOnSignal };
