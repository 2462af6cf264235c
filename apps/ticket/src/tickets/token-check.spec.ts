import { describe, expect, it } from 'vitest';
import { RedisKeys } from '@spear/catalog';
import { signJwt } from '@spear/testing';
import { tokenKey } from '../tokens/token-store';
import { tokenProof } from './token-check';

const keys = new RedisKeys('check-test:');
const SECRET = 'a-jwt-secret-of-32-characters-ok';
const now = 1_800_000_000_000;
const exp = now / 1000 + 600;

describe('tokenProof: what is settled before Redis', () => {
  it('leaves an opaque token to the owner read, keyed under the profile prefix', () => {
    expect(tokenProof(keys, 'opaque-token', 'alice', undefined)).toEqual({ kind: 'opaque', key: tokenKey(keys, 'opaque-token') });
    // Without a JWT secret even a JWT-shaped token is opaque (an unknown key in Redis).
    const shaped = signJwt({ sub: 'alice', exp }, SECRET);
    expect(tokenProof(keys, shaped, 'alice', undefined, {}, now)).toEqual({ kind: 'opaque', key: tokenKey(keys, shaped) });
  });

  it('passes a JWT for the uid with its iat, for the revocation check in the gate', () => {
    expect(tokenProof(keys, signJwt({ sub: 'alice', exp, iat: exp - 60 }, SECRET), 'alice', SECRET, {}, now)).toEqual({ kind: 'jwt', iat: exp - 60 });
    expect(tokenProof(keys, signJwt({ sub: 'alice', exp }, SECRET), 'alice', SECRET, {}, now)).toEqual({ kind: 'jwt' });
  });

  it('refuses, without Redis, a JWT for another uid, with a wrong signature, expired, alg none, or failing the profile\'s expectations', () => {
    const refused = [
      signJwt({ sub: 'mallory', exp }, SECRET),
      signJwt({ sub: 'alice', exp }, 'another-secret-of-32-characters!'),
      signJwt({ sub: 'alice', exp: now / 1000 - 1 }, SECRET),
      signJwt({ sub: 'alice', exp }, SECRET, { alg: 'none' }),
    ];
    for (const token of refused) expect(tokenProof(keys, token, 'alice', SECRET, {}, now), token).toEqual({ kind: 'refused' });
    expect(tokenProof(keys, signJwt({ sub: 'alice', exp, iss: 'elsewhere' }, SECRET), 'alice', SECRET, { issuer: 'ours' }, now)).toEqual({ kind: 'refused' });
  });
});
