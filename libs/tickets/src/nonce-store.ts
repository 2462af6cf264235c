import type { RedisClient } from '@spear/bus';
import type { RedisKeys } from '@spear/catalog';

/**
 * Makes tickets single-use across every node: the first use records the
 * nonce in Redis for the ticket's remaining life (SET NX), a second use finds
 * it there. Guarantee: a ticket is accepted at most once cluster-wide.
 */
export class NonceStore {
  /** `keys`: the profile's key names (libs/catalog). */
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** True on the first use of the nonce, false on any later one. */
  async consume(nonce: string, expiresAt: number, now = Date.now()): Promise<boolean> {
    const ttl = Math.max(1, expiresAt - now);
    return (await this.redis.set(this.keys.nonce(nonce), '1', 'PX', ttl, 'NX')) === 'OK';
  }
}
