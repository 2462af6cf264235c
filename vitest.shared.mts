import { join } from 'node:path';
import type { ViteUserConfig } from 'vitest/config';

/**
 * The test settings every project shares. With SPEAR_TEST_RESULTS set (the
 * README's test command sets it), each project also writes a JSON report there,
 * which scripts/test-summary.mjs adds up into one closing line.
 */
export function testConfig(project: string, test: NonNullable<ViteUserConfig['test']> = {}): ViteUserConfig {
  const results = process.env.SPEAR_TEST_RESULTS;
  return {
    test: {
      include: ['src/**/*.spec.ts'],
      ...test,
      ...(results ? { reporters: ['default', 'json'], outputFile: { json: join(results, `${project}.json`) } } : {}),
    },
  };
}
