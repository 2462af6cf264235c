import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = join(__dirname, '..', 'scripts', 'check-dependency-floor.mjs');
const dir = mkdtempSync(join(tmpdir(), 'spear-floor-'));

function check(packages: Record<string, { version: string }>): { code: number; out: string } {
  const lock = join(dir, `lock-${Math.random()}.json`);
  writeFileSync(lock, JSON.stringify({ packages }));
  try {
    return { code: 0, out: execFileSync(process.execPath, [SCRIPT, lock], { encoding: 'utf8' }) };
  } catch (error) {
    const e = error as { status: number; stdout: string };
    return { code: e.status, out: e.stdout };
  }
}

describe('the dependency floor check run by npm test', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the repository lockfile', () => {
    const out = execFileSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(out).toMatch(/ok {3}ws /);
    expect(out).toMatch(/ok {3}socket\.io /);
  });

  it('fails on any copy below its floor, nested ones included', () => {
    const good = { 'node_modules/ws': { version: '8.18.0' }, 'node_modules/socket.io': { version: '4.8.1' }, 'node_modules/engine.io': { version: '6.6.0' }, 'node_modules/socket.io-parser': { version: '4.2.6' } };
    expect(check(good).code).toBe(0);
    const nested = check({ ...good, 'node_modules/some-lib/node_modules/ws': { version: '7.5.9' } });
    expect(nested.code).toBe(1);
    expect(nested.out).toContain('FAIL ws 7.5.9 (>= 8.17.1) at node_modules/some-lib/node_modules/ws');
    expect(check({ ...good, 'node_modules/engine.io': { version: '6.4.1' } }).code).toBe(1);
    expect(check({ ...good, 'node_modules/socket.io-parser': { version: '4.2.5' } }).code).toBe(1);
  });
});
