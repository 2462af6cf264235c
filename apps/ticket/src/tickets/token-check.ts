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

/** The Redis key holding an opaque token's uid; '' for a JWT, which needs no lookup. */
export function tokenLookupKey(keys: RedisKeys, token: string, jwtSecret: string | undefined): string {
  return isJwt(token, jwtSecret) ? '' : tokenKey(keys, token);
}

/**
 * Whether `token` proves `uid`, given the uid Redis holds for it (`owner`, for
 * opaque tokens) and when the uid's tokens were revoked (`revokedBefore`, ms:
 * a JWT must have been issued, `iat`, at or after it); a JWT must also meet
 * the profile's `jwt` expectations (iss, aud, longest lifetime).
 */
export function tokenProvesUid(token: string, uid: string, owner: string | null, jwtSecret: string | undefined, revokedBefore?: number, jwt: JwtExpectations = {}): boolean {
  if (!isJwt(token, jwtSecret)) return owner === uid;
  const claims = verifyJwt(token, jwtSecret, Date.now(), jwt);
  if (claims?.sub !== uid) return false;
  // iat has a second's resolution: a token of the revocation's second is not "before" it.
  return revokedBefore === undefined || (claims.iat !== undefined && claims.iat >= Math.floor(revokedBefore / 1000));
}
