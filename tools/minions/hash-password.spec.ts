import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOperatorHash, verifyOperatorPassword } from '@spear/config';
import { passwordFromInput } from './read-password';

const TOOL = join(__dirname, 'hash-password.ts');
const run = (args: string[], input: string) => spawnSync(process.execPath, ['--import', 'tsx', TOOL, ...args], { input, encoding: 'utf8', cwd: join(__dirname, '../..') });

describe('minions:hash-password', () => {
  it('hashes the password it reads from standard input into a hash that verifies it', async () => {
    const result = run([], 'correct horse battery\n');
    expect(result.status, result.stderr).toBe(0);
    const hash = result.stdout.trim();
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyOperatorPassword('correct horse battery', parseOperatorHash(hash))).toBe(true);
    expect(await verifyOperatorPassword('correct horse battery\n', parseOperatorHash(hash))).toBe(false);
  });

  it('refuses a password given as an argument, and an empty one', () => {
    const withArg = run(['hunter2-hunter2'], '');
    expect(withArg.status).toBe(2);
    expect(withArg.stderr).toContain('never from arguments');
    expect(withArg.stdout).toBe('');
    expect(run([], '\n').status).toBe(2);
  });

  it('keeps spaces, drops only the line end', () => {
    expect(passwordFromInput(' a b \n')).toBe(' a b ');
    expect(passwordFromInput('x\r\n')).toBe('x');
    expect(passwordFromInput('x\n\n')).toBe('x\n');
  });
});
