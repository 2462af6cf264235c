import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { looksLikeJwt, verifyJwtSubject } from './jwt';

const secret = 'jwt-secret-0123456789';
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
function jwt(header: object, claims: object, key = secret): string {
  const head = `${b64(header)}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}
const now = 1_800_000_000_000;
const exp = now / 1000 + 60;

describe('HS256 JWT tokens', () => {
  it('gives the subject of a valid token', () => {
    const t = jwt({ alg: 'HS256', typ: 'JWT' }, { sub: 'alice', exp });
    expect(looksLikeJwt(t)).toBe(true);
    expect(verifyJwtSubject(t, secret, now)).toBe('alice');
  });

  it('refuses expired, wrong secret, alg none, other algs, missing exp or sub', () => {
    const none = `${b64({ alg: 'none' })}.${b64({ sub: 'alice', exp })}.`;
    for (const bad of [
      jwt({ alg: 'HS256' }, { sub: 'alice', exp: now / 1000 - 1 }),
      jwt({ alg: 'HS256' }, { sub: 'alice', exp }, 'another-secret-123456'),
      none,
      jwt({ alg: 'HS512' }, { sub: 'alice', exp }),
      jwt({ alg: 'HS256' }, { sub: 'alice' }),
      jwt({ alg: 'HS256' }, { exp }),
      'a.b',
      'not.a.jwt!',
    ]) {
      expect(verifyJwtSubject(bad, secret, now), bad).toBeUndefined();
    }
  });
});
