import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKSPACE_DIST } from '@spear/testing';

const stub = resolve(__dirname, '../tools/build/quiet-debug.cjs');

/** What `require('debug')('socket.io:socket')` gives in a fresh process with this environment. */
function probe(env: NodeJS.ProcessEnv): { enabled: boolean; arity: number; real: boolean } {
  const script = `const d = require(${JSON.stringify(stub)}); const x = d('socket.io:socket'); console.log(JSON.stringify({ enabled: x.enabled, arity: x.length, real: typeof d.load === 'function' }));`;
  const { DEBUG: _unset, ...rest } = process.env;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...rest, ...env }, encoding: 'utf8' })) as { enabled: boolean; arity: number; real: boolean };
}

describe('the bundles\' `debug` (tools/build/quiet-debug.cjs)', () => {
  it('is a no-op without DEBUG, and the real module, enabled by namespace, with it', () => {
    expect(probe({})).toEqual({ enabled: false, arity: 0, real: false });
    expect(probe({ DEBUG: 'socket.io:*' })).toMatchObject({ enabled: true, real: true });
    expect(probe({ DEBUG: 'ioredis:*' })).toMatchObject({ enabled: false, real: true });
  });

  it('is the only debug in the spear bundle: socket.io, engine.io and ioredis all get it', () => {
    const bundle = readFileSync(join(WORKSPACE_DIST, 'spear', 'main.js'), 'utf8');
    expect(bundle).toContain('tools/build/quiet-debug.cjs');
    // One copy of the real module, behind the stub for DEBUG=...; none per package.
    expect(bundle.match(/"node_modules\/[^"]*debug\/src\/index\.js"/g)).toHaveLength(1);
  });
});
