import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts'],
    // Engines take seconds to boot; tests that start them set their own hook timeouts too.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
