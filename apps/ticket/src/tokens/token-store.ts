import { hash, randomBytes } from 'node:crypto';
import { shardedPipeline, type RedisClient } from '@spear/bus';
import type { RedisKeys } from '@spear/catalog';
import { MAX_TOKEN_TTL_SECONDS } from '@spear/protocol';
import { tokenRef } from '@spear/tickets';

/** A token's SHA-256 in hex: all that is stored of it. */
export const tokenDigest = (token: string) => hash('sha256', token, 'hex');

/** Redis key of a token: only its SHA-256 is stored, never the token itself. */
export const tokenKey = (keys: RedisKeys, token: string) => keys.token(tokenDigest(token));

/** The reference a ticket issued with `token` carries (revoking the token kicks those connections). */
export const refOfToken = (token: string) => tokenRef(tokenDigest(token));

/**
 * Opaque bearer tokens bound to a uid, kept in Redis with their TTL.
 * Guarantee: a revoked or expired token is refused by every ticket instance
 * from the next request on (Redis is the only copy). Issuing also marks the
 * uid known (delivery.quotas.knownUsersOnly lets messages be stored for it)
 * and indexes the token under its uid, so all of a user's tokens can be
 * revoked at once.
 */
export class TokenStore {
  /** `keys`: the profile's key names (libs/catalog); `knownTtlSeconds`: how long the known mark lasts (the log's retention). */
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly knownTtlSeconds: number,
  ) {}

  /** Issues a new random token (256 bits, base64url) for `uid`. */
  async issue(uid: string, ttlSeconds: number): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + ttlSeconds * 1000;
    const known = Math.max(this.knownTtlSeconds, ttlSeconds);
    const digest = tokenDigest(token);
    const index = this.keys.userTokens(uid);
    // The uid's keys share its hash tag, the token's key is elsewhere on a cluster: the index first, so it always covers every live token (revokeAll).
    await this.redis
      .multi()
      .set(this.keys.known(uid), '1', 'EX', known)
      .sadd(index, digest)
      // The index lives as long as its longest-lived token: NX arms a new one, GT only lengthens.
      .expire(index, ttlSeconds, 'NX')
      .expire(index, ttlSeconds, 'GT')
      .exec();
    await this.redis.set(this.keys.token(digest), uid, 'PX', ttlSeconds * 1000);
    return { token, expiresAt };
  }

  /** Revokes a token; resolves to the uid it was bound to, or undefined when it was unknown or already expired. */
  async revoke(token: string): Promise<string | undefined> {
    const digest = tokenDigest(token);
    const uid = await this.redis.getdel(this.keys.token(digest));
    if (uid === null) return undefined;
    await this.redis.srem(this.keys.userTokens(uid), digest);
    return uid;
  }

  /**
   * Revokes every opaque token of `uid` and refuses JWTs issued before now
   * (the mark lasts as long as the longest token may). Resolves to how many
   * opaque tokens there were.
   */
  async revokeAll(uid: string, now = Date.now()): Promise<number> {
    const index = this.keys.userTokens(uid);
    // JWTs first (one command), then each token (own slots on a cluster), then the index: a failure part way leaves the index to retry with.
    await this.redis.set(this.keys.revokedBefore(uid), now, 'EX', MAX_TOKEN_TTL_SECONDS);
    const digests = await this.redis.smembers(index);
    const pipeline = shardedPipeline(this.redis);
    for (const digest of digests) pipeline.del(this.keys.token(digest));
    const failed = (await pipeline.exec())?.find(([error]) => error)?.[0];
    if (failed) throw failed;
    // Exactly the digests revoked: a token issued meanwhile stays indexed (and live: it is newer than the revocation).
    if (digests.length > 0) await this.redis.srem(index, ...digests);
    return digests.length;
  }
}
