import { relative, resolve } from 'node:path';
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
    // esbuild names inputs relative to the working directory: resolve them before asking where they are.
    const workspace = fileURLToPath(new URL('../../..', import.meta.url));
    const ours = inputs.filter((p) => !p.includes('node_modules')).map((p) => relative(workspace, resolve(p)));
    expect(ours.filter((p) => !p.startsWith('libs/client/'))).toEqual(['libs/protocol/src/errors.ts']);
  });
});
