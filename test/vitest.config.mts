import { defineConfig } from 'vitest/config';
import { testConfig } from '../vitest.shared.mts';

/**
 * Files about one engine of a single-engine bed (its outage, its pid): they
 * run in the default run only, not in the clustered one (SPEAR_E2E_ENGINES=clustered,
 * test/support/engines-and-cluster.ts), together with the files that start no
 * bed at all. Every other file runs in both, reaching the engines through
 * test/support/bed-engines.ts where it must.
 */
const SINGLE_ENGINE_FILES = [
  // One engine's outage and what the services do about it; fault-clustered is their cluster twin.
  'fault-kafka',
  'fault-redis',
  'fault-zookeeper',
  'fault-spear-kill', // samples the single engines' pids while ~4,900 clients reconnect
  // No bed: nothing differs between the runs.
  'dependency-floor',
  'quiet-debug',
  'release',
  'up-command',
];

/** Files about the clustered engines themselves (their failures under load): the clustered run only. */
const CLUSTERED_ONLY_FILES = ['fault-clustered'];

const clustered = process.env.SPEAR_E2E_ENGINES === 'clustered';

export default defineConfig(
  testConfig(clustered ? 'e2e-clustered' : 'e2e', {
    include: ['**/*.e2e.spec.ts'],
    exclude: ['**/node_modules/**', ...(clustered ? SINGLE_ENGINE_FILES : CLUSTERED_ONLY_FILES).map((name) => `**/${name}.e2e.spec.ts`)],
    // Each file starts its own engines and a cluster of six or more processes: one file at a
    // time keeps a 2-core machine responsive enough for the timing assertions.
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  }),
);
