import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('browser bundle', () => {
  it('bundles for the browser from socket.io-client alone: no Node built-ins, no server libraries', async () => {
    // platform 'browser' makes any import of a Node built-in a build error.
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const packages = new Set(inputs.map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1]).filter(Boolean));
    expect([...packages].filter((p) => !/^(socket\.io-client|socket\.io-parser|engine\.io-client|engine\.io-parser|@socket\.io\/component-emitter|debug|ms)$/.test(p!))).toEqual([]);
    // Types from @spear/protocol are erased; of another lib only the protocol's error catalog (no schemas) may be bundled.
    expect(inputs.filter((p) => p.includes('libs/') && !p.includes('libs/client/'))).toEqual(['../protocol/src/errors.ts']);
  });
});
