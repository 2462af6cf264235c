/**
 * Profiling for bench/spear/cross-node.bench.ts (BENCH_CPU_PROF): spear nodes
 * run from a wrapper bundle that profiles on demand.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_DIST } from '@spear/testing';

/**
 * A dist folder whose idgen and ticket are the workspace's bundles and whose
 * spear/main.js starts V8's profiler on the first SIGUSR2 and writes
 * `<BENCH_CPU_PROF_DIR>/spear-<tag>-<node>.cpuprofile` on the second (with
 * BENCH_HEAP_PROF=1: V8's sampling heap profiler, every allocation, to
 * `.heapprofile`), then
 * runs the real bundle (frames keep its path, so its source map applies).
 * `--cpu-prof` itself is refused in NODE_OPTIONS and would cover the whole life.
 */
export function profilingDist(dir: string, profileDir: string): string {
  const dist = join(dir, 'dist');
  mkdirSync(join(dist, 'spear'), { recursive: true });
  for (const app of ['idgen', 'ticket']) symlinkSync(join(WORKSPACE_DIST, app), join(dist, app));
  const wrapper = `'use strict';
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const session = new inspector.Session();
session.connect();
let running = false;
const heap = process.env.BENCH_HEAP_PROF === '1';
const name = 'spear-' + process.env.BENCH_CPU_PROF_TAG + '-' + process.env.SPEAR_NODE_ID + (heap ? '.heapprofile' : '.cpuprofile');
const write = (error, result) => {
  if (!error) writeFileSync(join(process.env.BENCH_CPU_PROF_DIR, name), JSON.stringify(result.profile));
};
process.on('SIGUSR2', () => {
  running = !running;
  if (heap) {
    // Every allocation sampled, also of objects the GC has already collected: what the young generation churns through.
    const sampling = { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
    if (running) session.post('HeapProfiler.enable', () => session.post('HeapProfiler.startSampling', sampling));
    else session.post('HeapProfiler.stopSampling', write);
    return;
  }
  if (running) session.post('Profiler.enable', () => session.post('Profiler.start'));
  else session.post('Profiler.stop', write);
});
require(${JSON.stringify(join(WORKSPACE_DIST, 'spear', 'main.js'))});
`;
  writeFileSync(join(dist, 'spear', 'main.js'), wrapper);
  mkdirSync(profileDir, { recursive: true });
  return dist;
}

