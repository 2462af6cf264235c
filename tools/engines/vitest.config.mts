import { defineConfig } from 'vitest/config';
import { testConfig } from '../../vitest.shared.mts';

// Specs sit beside the code in this folder (tools have no src/).
export default defineConfig(testConfig('tools-engines', { include: ['*.spec.ts'] }));
