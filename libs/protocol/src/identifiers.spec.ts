import { describe, expect, it } from 'vitest';
import { createTokenRequest } from './ticket-api';
import { IDENTIFIER } from './identifiers';
import { ERRORS, errorBody } from './errors';

describe('identifiers', () => {
  it('accepts the documented alphabet from 1 to 128 characters', () => {
    for (const ok of ['a', 'alice', 'user:42@app', 'A-b_c.d', 'x'.repeat(128)]) expect(IDENTIFIER.test(ok), ok).toBe(true);
    for (const bad of ['', 'x'.repeat(129), 'a b', 'é', 'a/b', 'a\nb']) expect(IDENTIFIER.test(bad), bad).toBe(false);
  });
});

describe('createTokenRequest', () => {
  it('validates uid and ttlSeconds', () => {
    expect(createTokenRequest.safeParse({ uid: 'alice' }).success).toBe(true);
    expect(createTokenRequest.safeParse({ uid: 'alice', ttlSeconds: 60 }).success).toBe(true);
    for (const bad of [{}, { uid: '' }, { uid: 7 }, { uid: 'a', ttlSeconds: 0 }, { uid: 'a', ttlSeconds: 1.5 }, { uid: 'a', ttlSeconds: '60' }, null, []]) {
      expect(createTokenRequest.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('errors', () => {
  it('builds protocol bodies with lowercase snake case codes', () => {
    expect(errorBody('no_nodes')).toEqual({ error: { code: 'no_nodes', message: ERRORS.no_nodes.message } });
    for (const code of Object.keys(ERRORS)) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });
});
