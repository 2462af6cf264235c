import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEnvOverrides } from '../env';
import { minionsSchema, operatorsFromEnv } from './minions';
import { hashOperatorPassword, isDevOperatorHash, operatorHashProblem, parseOperatorHash, verifyOperatorPassword } from './operator-hash';

/** The cheapest accepted cost: these tests hash a lot. */
const FAST = { N: 2 ** 14, r: 8, p: 1 };
const salt = Buffer.alloc(16, 1).toString('base64');
const hash = Buffer.alloc(32, 2).toString('base64');
const made = (n: string | number, r: string | number, p: string | number, s = salt, h = hash) => `scrypt$${n}$${r}$${p}$${s}$${h}`;

describe('operator password hashes', () => {
  it('verify the password they were made from, and no other', async () => {
    const stored = parseOperatorHash(await hashOperatorPassword('s3cret pass', FAST));
    expect(stored.params).toEqual(FAST);
    expect(stored.salt).toHaveLength(16);
    expect(await verifyOperatorPassword('s3cret pass', stored)).toBe(true);
    expect(await verifyOperatorPassword('s3cret pas', stored)).toBe(false);
    expect(await verifyOperatorPassword('', stored)).toBe(false);
  });

  it('salt every hash: the same password twice gives two hashes', async () => {
    expect(await hashOperatorPassword('same', FAST)).not.toBe(await hashOperatorPassword('same', FAST));
  });

  it('refuse what is not the format, naming what is wrong', () => {
    expect(operatorHashProblem(made(16384, 8, 1))).toBeUndefined();
    expect(operatorHashProblem('minions')).toMatch(/^expected scrypt\$N\$r\$p\$saltBase64\$hashBase64/);
    expect(operatorHashProblem(`bcrypt$16384$8$1$${salt}$${hash}`)).toMatch(/^expected scrypt/);
    expect(operatorHashProblem(made('16384', '8', '1') + '$x')).toMatch(/^expected scrypt/);
    expect(operatorHashProblem(made('0x4000', 8, 1))).toMatch(/positive integers/);
    expect(operatorHashProblem(made(16384, 8, 1, 'not base64!'))).toMatch(/salt is not base64/);
    expect(operatorHashProblem(made(16384, 8, 1, salt, 'AAAA='))).toMatch(/hash is not base64/);
    expect(operatorHashProblem(made(16384, 8, 1, Buffer.alloc(8).toString('base64')))).toMatch(/salt must be 16 to 64 bytes, not 8/);
    expect(operatorHashProblem(made(16384, 8, 1, salt, Buffer.alloc(16).toString('base64')))).toMatch(/hash must be 32 to 64 bytes, not 16/);
  });

  it('refuse costs too low to resist guessing and too high for a login to afford', () => {
    expect(operatorHashProblem(made(1024, 8, 1))).toMatch(/N must be a power of two from 16384 to 262144, not 1024/);
    expect(operatorHashProblem(made(2 ** 30, 8, 1))).toMatch(/N must be a power of two/);
    expect(operatorHashProblem(made(20000, 8, 1))).toMatch(/N must be a power of two/);
    expect(operatorHashProblem(made(16384, 64, 1))).toMatch(/r must be 1 to 32/);
    expect(operatorHashProblem(made(16384, 8, 99))).toMatch(/p must be 1 to 16/);
    expect(operatorHashProblem(made(2 ** 18, 16, 1))).toMatch(/512 MiB per login, more than 256/);
    expect(operatorHashProblem(made(2 ** 17, 8, 16))).toMatch(/more work per login/);
    expect(operatorHashProblem(made(9_999_999_999, 8, 1))).toMatch(/N must be a power of two/);
  });

  it('tell a hash of a development password from any other', async () => {
    expect(isDevOperatorHash(await hashOperatorPassword('minions', FAST))).toBe(true);
    expect(isDevOperatorHash(await hashOperatorPassword('a real operator password', FAST))).toBe(false);
    expect(isDevOperatorHash('not a hash')).toBe(false);
    // The local profile's operator is a development account: a production check must catch it.
    const local = JSON.parse(readFileSync(join(__dirname, '../../../../profiles/local/profile.json'), 'utf8')) as { minions: { operators: Array<{ name: string; passwordHash: string }> } };
    expect(local.minions.operators.map((o) => o.name)).toEqual(['admin']);
    expect(isDevOperatorHash(local.minions.operators[0]!.passwordHash)).toBe(true);
  });
});

describe('minions.operators', () => {
  const http = { host: '127.0.0.1', port: 0 };
  const good = made(16384, 8, 1);

  it('takes unique names and valid hashes', () => {
    expect(minionsSchema.parse({ http, operators: [{ name: 'alice', passwordHash: good }] }).operators).toHaveLength(1);
    const duplicate = minionsSchema.safeParse({ http, operators: [{ name: 'a', passwordHash: good }, { name: 'a', passwordHash: good }] });
    expect(duplicate.error?.issues[0]?.message).toBe('operator names must be unique');
    const badHash = minionsSchema.safeParse({ http, operators: [{ name: 'a', passwordHash: 'plain-password' }] });
    expect(badHash.error?.issues[0]?.path).toEqual(['operators', 0, 'passwordHash']);
    expect(minionsSchema.safeParse({ http, operators: [{ name: 'has space', passwordHash: good }] }).success).toBe(false);
  });

  it('reads SPEAR_MINIONS_OPERATORS as name:hash pairs, a malformed entry kept for the schema to name', () => {
    expect(operatorsFromEnv(`alice:${good}, bob:${good}`)).toEqual([
      { name: 'alice', passwordHash: good },
      { name: 'bob', passwordHash: good },
    ]);
    const malformed = operatorsFromEnv('alice');
    expect(malformed).toEqual([{ name: 'alice', passwordHash: '' }]);
    expect(minionsSchema.safeParse({ http, operators: malformed }).error?.issues[0]?.path).toEqual(['operators', 0, 'passwordHash']);
  });

  it('are replaced whole by SPEAR_MINIONS_OPERATORS', () => {
    const raw: Record<string, unknown> = { minions: { http, operators: [{ name: 'admin', passwordHash: good }] } };
    expect(applyEnvOverrides(raw, { SPEAR_MINIONS_OPERATORS: `ops:${good}` })).toEqual(['SPEAR_MINIONS_OPERATORS']);
    expect(minionsSchema.parse(raw.minions).operators).toEqual([{ name: 'ops', passwordHash: good }]);
  });

  it('takes an origin, nothing more than one', () => {
    expect(minionsSchema.safeParse({ http, origin: 'https://minions.example.com' }).success).toBe(true);
    expect(minionsSchema.safeParse({ http, origin: 'https://minions.example.com/dash' }).success).toBe(false);
    expect(minionsSchema.safeParse({ http, origin: 'ftp://minions.example.com' }).success).toBe(false);
  });
});
