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
 * `<BENCH_CPU_PROF_DIR>/spear-<tag>-<node>.cpuprofile` on the second, then
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
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    return;
  }
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    const name = 'spear-' + process.env.BENCH_CPU_PROF_TAG + '-' + process.env.SPEAR_NODE_ID + '.cpuprofile';
    writeFileSync(join(process.env.BENCH_CPU_PROF_DIR, name), JSON.stringify(result.profile));
  });
});
require(${JSON.stringify(join(WORKSPACE_DIST, 'spear', 'main.js'))});
`;
  writeFileSync(join(dist, 'spear', 'main.js'), wrapper);
  mkdirSync(profileDir, { recursive: true });
  return dist;
}

