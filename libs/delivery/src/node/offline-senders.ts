import type { SenderQuota } from './message-path';
import { TokenBucket } from './token-bucket';

/** Buckets kept before the full ones are swept out (a full bucket is the same as none). */
const SWEEP_AT = 10_000;

/**
 * Each sender's budget of messages to recipients that are offline (or
 * unknown), on this node: `perSecond`, at most `burst` at once. A user's
 * connections land on one node (consistent hashing), so a per-node budget is
 * the user's budget. Memory: a bucket per sender that used some of it lately.
 */
export class OfflineSenders implements SenderQuota {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  offlineAllowed(uid: string): boolean {
    return this.buckets.get(uid)?.has() ?? true;
  }

  chargeOffline(uid: string): void {
    let bucket = this.buckets.get(uid);
    if (!bucket) {
      if (this.buckets.size >= SWEEP_AT) this.sweep();
      this.buckets.set(uid, (bucket = new TokenBucket(this.perSecond, this.burst)));
    }
    bucket.take();
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [uid, bucket] of this.buckets) if (bucket.full(now)) this.buckets.delete(uid);
  }
}
