import { defineConfig } from 'vitest/config';
import { testConfig } from '../vitest.shared.mts';

export default defineConfig(
  testConfig('e2e', {
    include: ['**/*.e2e.spec.ts'],
    // Each file starts its own engines and a cluster of six or more processes: one file at a
    // time keeps a 2-core machine responsive enough for the timing assertions.
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  }),
);
