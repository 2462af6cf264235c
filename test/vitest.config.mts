import { defineConfig } from 'vitest/config';
import { testConfig } from '../vitest.shared.mts';

export default defineConfig(
  testConfig('e2e', {
    include: ['**/*.e2e.spec.ts'],
    // Each file starts its own engines and cluster; two at a time fit a 2-core machine.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  }),
);
