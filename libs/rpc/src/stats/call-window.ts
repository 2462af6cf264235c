/** Upper bounds (ms) of the latency buckets shipped to stat; the last bucket is everything above. */
export const WINDOW_BUCKETS_MS = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500] as const;

/** Calls of one service method (through one provider, on the client side) within one window. */
export interface CallStats {
  /** client: calls this process made; server: calls it served. */
  side: 'client' | 'server';
  service: string;
  method: string;
  /** The provider's host:port on the client side; this process's own on the server side ('' when unknown). */
  provider: string;
  calls: number;
  errors: number;
  totalMs: number;
  maxMs: number;
  /** Counts per WINDOW_BUCKETS_MS bound, plus one overflow bucket. */
  buckets: number[];
}

/**
 * Call statistics accumulated since the last drain (the deltas the Dubbo
 * monitor ships), bounded by the number of distinct service/method/provider
 * keys this process uses. Cheap enough for every call: one map lookup and a
 * few additions.
 */
export class CallWindow {
  private entries = new Map<string, CallStats>();

  record(side: CallStats['side'], service: string, method: string, provider: string, ok: boolean, ms: number): void {
    const key = `${side}|${service}|${method}|${provider}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { side, service, method, provider, calls: 0, errors: 0, totalMs: 0, maxMs: 0, buckets: new Array<number>(WINDOW_BUCKETS_MS.length + 1).fill(0) };
      this.entries.set(key, entry);
    }
    entry.calls++;
    if (!ok) entry.errors++;
    entry.totalMs += ms;
    if (ms > entry.maxMs) entry.maxMs = ms;
    entry.buckets[bucketOf(ms)]!++;
  }

  /** Everything recorded since the previous drain; the window starts empty again. */
  drain(): CallStats[] {
    const drained = [...this.entries.values()];
    this.entries = new Map();
    return drained;
  }
}

function bucketOf(ms: number): number {
  for (let i = 0; i < WINDOW_BUCKETS_MS.length; i++) if (ms <= WINDOW_BUCKETS_MS[i]!) return i;
  return WINDOW_BUCKETS_MS.length;
}

/** The latency under which `q` (0..1) of the calls finished, by bucket upper bound; 0 without calls. */
export function quantileMs(buckets: readonly number[], q: number): number {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!;
    if (seen >= rank) return i < WINDOW_BUCKETS_MS.length ? WINDOW_BUCKETS_MS[i]! : Infinity;
  }
  return Infinity;
}
