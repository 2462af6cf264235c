import { defineConfig } from 'vitest/config';
import { testConfig } from '../../vitest.shared.mts';

export default defineConfig(testConfig('idgen-client', { testTimeout: 30_000, hookTimeout: 60_000 }));
