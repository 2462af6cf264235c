import { signJwt } from '@spear/testing';
import { describe, expect, it } from 'vitest';
import { looksLikeJwt, verifyJwt, verifyJwtSubject } from './jwt';

const secret = 'jwt-secret-0123456789';
const jwt = (header: Record<string, unknown>, claims: object, key = secret) => signJwt(claims, key, header);
const now = 1_800_000_000_000;
const exp = now / 1000 + 60;

describe('HS256 JWT tokens', () => {
  it('gives the subject of a valid token', () => {
    const t = jwt({ alg: 'HS256', typ: 'JWT' }, { sub: 'alice', exp });
    expect(looksLikeJwt(t)).toBe(true);
    expect(verifyJwtSubject(t, secret, now)).toBe('alice');
  });

  it('gives iat when the token has one (revocation refuses tokens issued before it)', () => {
    expect(verifyJwt(jwt({ alg: 'HS256' }, { sub: 'alice', exp, iat: 1_799_999_000 }), secret, now)).toEqual({ sub: 'alice', iat: 1_799_999_000 });
    expect(verifyJwt(jwt({ alg: 'HS256' }, { sub: 'alice', exp }), secret, now)).toEqual({ sub: 'alice' });
  });

  it("checks iss, aud (a string or a list) and the longest lifetime when the profile asks", () => {
    const t = (claims: object) => jwt({ alg: 'HS256' }, { sub: 'alice', exp, ...claims });
    const expect1 = { issuer: 'auth.example', audience: 'spear', maxLifetimeSeconds: 120 };
    expect(verifyJwt(t({ iss: 'auth.example', aud: 'spear', iat: exp - 60 }), secret, now, expect1)).toMatchObject({ sub: 'alice' });
    expect(verifyJwt(t({ iss: 'auth.example', aud: ['other', 'spear'], iat: exp - 60 }), secret, now, expect1)).toMatchObject({ sub: 'alice' });
    expect(verifyJwt(t({ iss: 'evil', aud: 'spear', iat: exp - 60 }), secret, now, expect1)).toBeUndefined();
    expect(verifyJwt(t({ iss: 'auth.example', aud: 'other', iat: exp - 60 }), secret, now, expect1)).toBeUndefined();
    expect(verifyJwt(t({ iss: 'auth.example', aud: 'spear', iat: exp - 3600 }), secret, now, expect1)).toBeUndefined();
    expect(verifyJwt(t({ iss: 'auth.example', aud: 'spear' }), secret, now, expect1)).toMatchObject({ sub: 'alice' }); // no iat: exp is 60 s from now
    expect(verifyJwt(t({}), secret, now)).toMatchObject({ sub: 'alice' }); // nothing asked
  });

  it('refuses expired, wrong secret, alg none, other algs, missing exp or sub', () => {
    const none = jwt({ alg: 'none' }, { sub: 'alice', exp });
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
