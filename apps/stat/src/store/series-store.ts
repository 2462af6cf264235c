import type { RedisClient } from '@spear/bus';
import type { RedisKeys, StatStoreName } from '@spear/catalog';
import { RECORD_SERIES } from './series-lua';

/** One resolution of the rolling series: buckets of `stepSeconds`, kept for `keepSeconds`. */
export interface Resolution {
  stepSeconds: number;
  keepSeconds: number;
}

/** One series' values for one batch; `values` line up with the store's kinds. */
export interface SeriesPoint {
  series: string;
  values: number[];
}

/** A bucket read back: its start (epoch ms) and its accumulated values, or null when nothing was recorded. */
export interface Bucket {
  t: number;
  values: number[] | null;
}

/** How long a source's last seq is remembered (a resend after that would count twice). */
const DEDUPE_TTL_SECONDS = 86_400;

/**
 * Rolling time series in Redis at two resolutions (e.g. 1 s for 10 min and
 * 10 s for 24 h), written by one script per batch.
 * Guarantees: a batch is counted once per (source, seq) across every stat
 * instance (the check and the writes are one atomic script), memory per
 * series is bounded by keep/step slots, and an idle series expires after its
 * keep time.
 */
export class SeriesStore {
  constructor(
    private readonly redis: RedisClient,
    /** The profile's key names (libs/catalog). */
    private readonly keys: RedisKeys,
    /** Which store of the catalog's stat family this is. */
    private readonly name: StatStoreName,
    /** One letter per value: "s" accumulates a sum, "m" a maximum. */
    private readonly kinds: string,
    private readonly resolutions: readonly Resolution[],
  ) {
    redis.defineCommand('spearStatRecord', { lua: RECORD_SERIES });
  }

  /** Records every point into its bucket at `at` (epoch ms); false when this (source, seq) was already recorded. */
  async record(source: string, seq: number, at: number, points: readonly SeriesPoint[]): Promise<boolean> {
    const keys = [this.keys.statSeen(this.name)];
    const args: Array<string | number> = [source, seq, DEDUPE_TTL_SECONDS, this.kinds, this.resolutions.length];
    for (const r of this.resolutions) args.push(Math.floor(at / 1000 / r.stepSeconds), r.keepSeconds / r.stepSeconds, r.keepSeconds);
    for (const point of points) {
      if (point.values.length !== this.kinds.length) throw new Error(`series ${point.series}: ${point.values.length} values for kinds "${this.kinds}"`);
      for (const r of this.resolutions) keys.push(this.key(r, point.series));
      args.push(...point.values);
    }
    const recorded = await (this.redis as unknown as StatCommands).spearStatRecord(keys.length, ...keys, ...args);
    return recorded === 1;
  }

  /** The buckets of `series` covering [from, to] (epoch ms) at `resolution`, oldest first. */
  async read(series: string, resolution: Resolution, from: number, to: number): Promise<Bucket[]> {
    const stepMs = resolution.stepSeconds * 1000;
    const slots = resolution.keepSeconds / resolution.stepSeconds;
    const first = Math.floor(from / stepMs);
    const last = Math.floor(to / stepMs);
    const buckets: number[] = [];
    for (let b = first; b <= last; b++) buckets.push(b);
    if (buckets.length === 0) return [];
    const raw = await this.redis.hmget(this.key(resolution, series), ...buckets.map((b) => String(b % slots)));
    return buckets.map((b, i) => ({ t: b * stepMs, values: parseSlot(raw[i] ?? null, b) }));
  }

  private key(resolution: Resolution, series: string): string {
    return this.keys.statSeries(this.name, resolution.stepSeconds, series);
  }
}

/** A slot's values when it holds `bucket`; null when empty or holding another (older) bucket. */
function parseSlot(raw: string | null, bucket: number): number[] | null {
  if (!raw) return null;
  const bar = raw.indexOf('|');
  if (raw.slice(0, bar) !== String(bucket)) return null;
  return raw.slice(bar + 1).split(',').map(Number);
}

interface StatCommands {
  spearStatRecord(numKeys: number, ...keysAndArgs: Array<string | number>): Promise<number>;
}
