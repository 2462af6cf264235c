import type Redis from 'ioredis';

/** One fixed-window limit: at most `limit` hits per `windowMs`. */
export interface Window {
  limit: number;
  windowMs: number;
}

/**
 * Fixed-window counters in Redis, so every ticket instance enforces the same
 * limit. Guarantee: at most `limit` admitted hits per key per window across
 * the cluster (plus none: INCR is atomic).
 */
export class RateLimiter {
  constructor(private readonly redis: Redis) {}

  /** Counts one hit for each key; true when every key is within its limit. One round trip for all. */
  async admit(hits: Array<{ key: string; window: Window }>): Promise<boolean> {
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const { key, window } of hits) {
      const slot = `spear:rl:${key}:${Math.floor(now / window.windowMs)}`;
      pipeline.incr(slot).pexpire(slot, window.windowMs, 'NX');
    }
    const results = (await pipeline.exec()) ?? [];
    return hits.every((hit, i) => {
      const [error, count] = results[i * 2] ?? [new Error('no reply'), 0];
      if (error) throw error;
      return (count as number) <= hit.window.limit;
    });
  }
}
