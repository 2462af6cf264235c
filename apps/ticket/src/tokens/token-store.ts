import { hash, randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { RedisKeys } from '@spear/catalog';

/** Redis key of a token: only its SHA-256 is stored, never the token itself. */
export const tokenKey = (keys: RedisKeys, token: string) => keys.token(hash('sha256', token, 'hex'));

/**
 * Opaque bearer tokens bound to a uid, kept in Redis with their TTL.
 * Guarantee: a revoked or expired token is refused by every ticket instance
 * from the next request on (Redis is the only copy).
 */
export class TokenStore {
  /** `keys`: the profile's key names (libs/catalog). */
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Issues a new random token (256 bits, base64url) for `uid`. */
  async issue(uid: string, ttlSeconds: number): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + ttlSeconds * 1000;
    await this.redis.set(tokenKey(this.keys, token), uid, 'PX', ttlSeconds * 1000);
    return { token, expiresAt };
  }

  /** Revokes a token; false when it was unknown or already expired. */
  async revoke(token: string): Promise<boolean> {
    return (await this.redis.del(tokenKey(this.keys, token))) === 1;
  }
}
