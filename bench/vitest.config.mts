import { defineConfig } from 'vitest/config';
import { testConfig } from '../vitest.shared.mts';

// The harness's own logic (pairing, settings, reports); the benches themselves are run by hand, never by tests.
export default defineConfig(testConfig('bench', { include: ['**/*.spec.ts'], exclude: ['**/node_modules/**'] }));
