import { defineConfig } from 'vitest/config';
import { testConfig } from '../../vitest.shared.mts';

export default defineConfig(testConfig('backend', { testTimeout: 30_000, hookTimeout: 60_000 }));
