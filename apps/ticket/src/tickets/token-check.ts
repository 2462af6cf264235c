import { looksLikeJwt, verifyJwtSubject } from '@spear/tickets';
import type { TokenStore } from '../tokens/token-store';

/**
 * Whether `token` proves `uid`: an opaque token from Redis (revocable at
 * once), or, when a JWT secret is configured, an HS256 JWT whose sub is the uid.
 */
export async function tokenProvesUid(token: string, uid: string, store: TokenStore, jwtSecret?: string): Promise<boolean> {
  if (jwtSecret && looksLikeJwt(token)) return verifyJwtSubject(token, jwtSecret) === uid;
  return (await store.uidOf(token)) === uid;
}
