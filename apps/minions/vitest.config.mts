import { defineConfig } from 'vitest/config';
import { testConfig } from '../../vitest.shared.mts';

// The UI's pure helpers (ui/src) are tested here too; its components are tested in a real browser (test/minions-*.e2e.spec.ts).
export default defineConfig(testConfig('minions', { include: ['src/**/*.spec.ts', 'ui/src/**/*.spec.ts'] }));
