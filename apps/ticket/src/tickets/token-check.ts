import type { RedisKeys } from '@spear/catalog';
import { looksLikeJwt, verifyJwt, type JwtExpectations } from '@spear/tickets';
import { tokenKey } from '../tokens/token-store';

/**
 * A token is either opaque (its uid lives in Redis, revocable at once) or,
 * when a JWT secret is configured, an HS256 JWT whose sub is the uid.
 */
export function isJwt(token: string, jwtSecret: string | undefined): jwtSecret is string {
  return jwtSecret !== undefined && looksLikeJwt(token);
}

/**
 * What is left to prove once the token has been read without Redis:
 * - `opaque`: the uid stored under `key` must be the body's uid;
 * - `jwt`: signature, `sub`, `exp` and the profile's expectations hold; its
 *   `iat` (seconds) must not be before the uid's last revocation;
 * - `refused`: a JWT that fails on its own (bad signature, expired, another
 *   `sub`): no Redis read can make it valid.
 */
export type TokenProof = { kind: 'opaque'; key: string } | { kind: 'jwt'; iat?: number } | { kind: 'refused' };

/**
 * Checks in JS everything about `token` that needs no Redis, so the gate can
 * tell a request that proves `uid` from one that does not, reading Redis
 * beside the round trip that counts it (TicketGate).
 */
export function tokenProof(keys: RedisKeys, token: string, uid: string, jwtSecret: string | undefined, jwt: JwtExpectations = {}, now = Date.now()): TokenProof {
  if (!isJwt(token, jwtSecret)) return { kind: 'opaque', key: tokenKey(keys, token) };
  const claims = verifyJwt(token, jwtSecret, now, jwt);
  if (claims?.sub !== uid) return { kind: 'refused' };
  return claims.iat === undefined ? { kind: 'jwt' } : { kind: 'jwt', iat: claims.iat };
}
