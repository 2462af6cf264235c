import { defineConfig } from 'vitest/config';
import { testConfig } from '../../vitest.shared.mts';

export default defineConfig(testConfig('chat-example'));
