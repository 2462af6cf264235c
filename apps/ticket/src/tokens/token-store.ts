import { hash, randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { RedisKeys } from '@spear/catalog';

/** Redis key of a token: only its SHA-256 is stored, never the token itself. */
export const tokenKey = (keys: RedisKeys, token: string) => keys.token(hash('sha256', token, 'hex'));

/**
 * Opaque bearer tokens bound to a uid, kept in Redis with their TTL.
 * Guarantee: a revoked or expired token is refused by every ticket instance
 * from the next request on (Redis is the only copy). Issuing also marks the
 * uid known (delivery.quotas.knownUsersOnly lets messages be stored for it).
 */
export class TokenStore {
  /** `keys`: the profile's key names (libs/catalog); `knownTtlSeconds`: how long the known mark lasts (the log's retention). */
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly knownTtlSeconds: number,
  ) {}

  /** Issues a new random token (256 bits, base64url) for `uid`. */
  async issue(uid: string, ttlSeconds: number): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + ttlSeconds * 1000;
    const known = Math.max(this.knownTtlSeconds, ttlSeconds);
    await this.redis.multi().set(tokenKey(this.keys, token), uid, 'PX', ttlSeconds * 1000).set(this.keys.known(uid), '1', 'EX', known).exec();
    return { token, expiresAt };
  }

  /** Revokes a token; false when it was unknown or already expired. */
  async revoke(token: string): Promise<boolean> {
    return (await this.redis.del(tokenKey(this.keys, token))) === 1;
  }
}
