/**
 * Profiling of the spear nodes in the benches that launch a cluster
 * (BENCH_CPU_PROF in bench/compare and bench/spear, through startSpear in
 * bench/compare/systems.ts): they run from a wrapper bundle that profiles on demand.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_DIST } from '@spear/testing';

/** Starts, or on the second signal stops and writes, the profiler of processes run with profile-on-signal.cjs. */
export function toggleProfiler(pids: readonly number[]): void {
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
}

/**
 * A dist folder whose idgen and ticket are the workspace's bundles and whose
 * spear/main.js starts V8's profiler on the first SIGUSR2 and writes
 * `<BENCH_CPU_PROF_DIR>/spear-<tag>-<node>.cpuprofile` on the second (with
 * BENCH_HEAP_PROF=1: V8's sampling heap profiler, every allocation, to
 * `.heapprofile`; BENCH_HEAP_PROF=survivors: only what outlived a young GC; =live: only what is still alive at the end), then runs the real bundle (frames keep its path, so its
 * source map applies); the profiling is profile-on-signal.cjs, shared with B0.
 */
export function profilingDist(dir: string, profileDir: string): string {
  const dist = join(dir, 'dist');
  mkdirSync(join(dist, 'spear'), { recursive: true });
  for (const app of ['idgen', 'ticket']) symlinkSync(join(WORKSPACE_DIST, app), join(dist, app));
  const wrapper = `'use strict';
const { profileOnSignal, heapModeFromEnv } = require(${JSON.stringify(join(__dirname, 'profile-on-signal.cjs'))});
profileOnSignal({
  dir: process.env.BENCH_CPU_PROF_DIR,
  name: 'spear-' + process.env.BENCH_CPU_PROF_TAG + '-' + process.env.SPEAR_NODE_ID,
  heap: heapModeFromEnv(),
});
require(${JSON.stringify(join(WORKSPACE_DIST, 'spear', 'main.js'))});
`;
  writeFileSync(join(dist, 'spear', 'main.js'), wrapper);
  mkdirSync(profileDir, { recursive: true });
  return dist;
}

