import { IdRangeCursor, assertIdRange } from '@spear/snowflake';
import type { RpcClient } from '@spear/rpc';
import { IDGEN_SERVICE, type NextBatchReply } from './contract';

export interface PrefetchOptions {
  /** Ids fetched per call (≤ idgen's maxBatch). */
  batch?: number;
  /** Refill when fewer than this many ids are left. */
  lowWater?: number;
}

/**
 * Snowflake ids for a service such as spear, fetched from idgen in batches
 * ahead of need so that taking an id never waits on a round trip in steady
 * state. Guarantee: every id handed out is unique cluster-wide (idgen's
 * worker leases); ids from one source increase except across a change of
 * idgen worker (a failover), where they stay unique.
 */
export class PrefetchingIdSource {
  private readonly cursor = new IdRangeCursor();
  private refilling?: Promise<void>;
  private readonly batch: number;
  private readonly lowWater: number;

  constructor(
    private readonly rpc: RpcClient,
    options: PrefetchOptions = {},
  ) {
    this.batch = options.batch ?? 4096;
    this.lowWater = options.lowWater ?? Math.floor(this.batch / 2);
  }

  /** Ids in hand right now. */
  get buffered(): number {
    return this.cursor.size;
  }

  /** An id from the buffer, or undefined when empty (a refill is then under way). */
  tryNext(): string | undefined {
    const id = this.cursor.next();
    if (this.cursor.size < this.lowWater) this.refill();
    return id;
  }

  /** An id: at once from the buffer, else after the refill (which fails with the RPC error if idgen is unreachable). */
  async next(): Promise<string> {
    for (;;) {
      const id = this.tryNext();
      if (id !== undefined) return id;
      await this.refill();
    }
  }

  /** Starts filling the buffer early, e.g. at boot. */
  warm(): Promise<void> {
    return this.refill();
  }

  private refill(): Promise<void> {
    this.refilling ??= this.rpc
      .call<NextBatchReply>(IDGEN_SERVICE, 'nextBatch', { n: this.batch })
      .then((reply) => {
        for (const range of reply.ranges) assertIdRange(range);
        this.cursor.pushAll(reply.ranges);
      })
      .finally(() => (this.refilling = undefined));
    // A background refill's failure is reported by the next() that needs it.
    this.refilling.catch(() => undefined);
    return this.refilling;
  }
}
