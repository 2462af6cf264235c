import { defineConfig } from 'vitest/config';
import { testConfig } from '../../vitest.shared.mts';

// Engines take seconds to boot; tests that start them set their own hook timeouts too.
export default defineConfig(testConfig('bus', { testTimeout: 60_000, hookTimeout: 120_000 }));
