import type { RedisClient } from '@spear/bus';
import type { RedisKeys } from '@spear/catalog';
import { quantileMs, WINDOW_BUCKETS_MS } from '@spear/rpc';
import type { RpcStatsBatch } from '@spear/stat-client';
import { SeriesStore, type Bucket, type Resolution } from './series-store';
import type { SeriesPoints } from './node-stats';

/** calls, errors, totalMs (sums), maxMs (max), then the latency histogram (sums). */
const KINDS = 'sssm' + 's'.repeat(WINDOW_BUCKETS_MS.length + 1);

export const RPC_SERIES_METRICS = ['callsPerSec', 'errorsPerSec', 'avgMs', 'p99Ms', 'maxMs'] as const;
export type RpcSeriesMetric = (typeof RPC_SERIES_METRICS)[number];

/** One method (or one provider of it) over a window. */
export interface RpcFigures {
  calls: number;
  callsPerSec: number;
  errors: number;
  errorRate: number;
  avgMs: number;
  /** By histogram bucket bound (an upper bound of the true p99); null without calls or above the last bound. */
  p99Ms: number | null;
  maxMs: number;
}

export interface RpcMethodSummary extends RpcFigures {
  side: 'client' | 'server';
  service: string;
  method: string;
  providers: Array<RpcFigures & { provider: string }>;
}

interface Totals {
  calls: number;
  errors: number;
  totalMs: number;
  maxMs: number;
  buckets: number[];
}

/**
 * RPC call statistics from every process (the Dubbo monitor): per side,
 * service and method, and per provider, as rolling series in the same
 * bounded ring layout as the node reports. Each batch counts once per
 * (source, seq).
 */
export class RpcStats {
  private readonly series: SeriesStore;
  /** When each method and provider was last seen: what summary() walks. */
  private readonly indexKey: string;

  /** `keys`: the profile's key names (libs/catalog). */
  constructor(
    private readonly redis: RedisClient,
    keys: RedisKeys,
    private readonly resolutions: { fine: Resolution; coarse: Resolution },
  ) {
    this.series = new SeriesStore(redis, keys, 'rpc', KINDS, [resolutions.fine, resolutions.coarse]);
    this.indexKey = keys.statRpcIndex();
  }

  async record(batch: RpcStatsBatch): Promise<boolean> {
    const points = [];
    const seen: Record<string, string> = {};
    for (const e of batch.entries) {
      const values = [e.calls, e.errors, e.totalMs, e.maxMs, ...e.buckets];
      const method = `${e.side}|${e.service}|${e.method}`;
      points.push({ series: method, values }, { series: `${method}|${e.provider}`, values });
      seen[`${method}|${e.provider}`] = String(batch.at);
    }
    const { source } = batch;
    const fresh = await this.series.record(`${source.app}/${source.instance}/${source.boot}`, batch.seq, batch.at, points);
    // Also for a resend (idempotent): the first try's index write may be the part that failed.
    if (points.length > 0) await this.redis.hset(this.indexKey, seen);
    return fresh;
  }

  /**
   * Every method seen within the last `windowSeconds` (at most what the fine
   * series keeps), with its providers: exactly `windowSeconds` fine buckets
   * ending with the current one.
   */
  async summary(windowSeconds: number, now = Date.now()): Promise<RpcMethodSummary[]> {
    const index = await this.redis.hgetall(this.indexKey);
    const stepMs = this.resolutions.fine.stepSeconds * 1000;
    windowSeconds = Math.min(windowSeconds, this.resolutions.fine.keepSeconds - this.resolutions.fine.stepSeconds);
    const buckets = Math.max(1, Math.round(windowSeconds / this.resolutions.fine.stepSeconds));
    const from = (Math.floor(now / stepMs) - buckets + 1) * stepMs;
    const seconds = buckets * this.resolutions.fine.stepSeconds;
    const methods = new Map<string, RpcMethodSummary>();
    const stale: string[] = [];
    for (const [key, lastSeen] of Object.entries(index)) {
      if (Number(lastSeen) < now - this.resolutions.coarse.keepSeconds * 1000) stale.push(key);
      if (Number(lastSeen) < from) continue;
      const [side, service, method, provider] = key.split('|') as ['client' | 'server', string, string, string];
      const methodKey = `${side}|${service}|${method}`;
      let summary = methods.get(methodKey);
      if (!summary) {
        const totals = sum(await this.series.read(methodKey, this.resolutions.fine, from, now));
        summary = { side, service, method, ...figures(totals, seconds), providers: [] };
        methods.set(methodKey, summary);
      }
      const totals = sum(await this.series.read(key, this.resolutions.fine, from, now));
      if (totals.calls > 0) summary.providers.push({ provider, ...figures(totals, seconds) });
    }
    if (stale.length > 0) await this.redis.hdel(this.indexKey, ...stale);
    return [...methods.values()]
      .filter((m) => m.calls > 0)
      .sort((a, b) => `${a.side}${a.service}${a.method}`.localeCompare(`${b.side}${b.service}${b.method}`));
  }

  /** One figure of a method (or of one provider of it) per bucket over [from, to]. */
  async seriesOf(key: { side: string; service: string; method: string; provider?: string }, metric: RpcSeriesMetric, resolution: 'fine' | 'coarse', from: number, to: number): Promise<SeriesPoints> {
    const res = this.resolutions[resolution];
    const series = [key.side, key.service, key.method, ...(key.provider ? [key.provider] : [])].join('|');
    const buckets = await this.series.read(series, res, from, to);
    return buckets.map((b) => {
      if (!b.values) return [b.t, null];
      const f = figures(totalsOf(b.values), res.stepSeconds);
      return [b.t, metric === 'errorsPerSec' ? f.errors / res.stepSeconds : f[metric]];
    });
  }
}

function totalsOf(values: number[]): Totals {
  return { calls: values[0]!, errors: values[1]!, totalMs: values[2]!, maxMs: values[3]!, buckets: values.slice(4) };
}

function sum(buckets: Bucket[]): Totals {
  const totals: Totals = { calls: 0, errors: 0, totalMs: 0, maxMs: 0, buckets: new Array<number>(WINDOW_BUCKETS_MS.length + 1).fill(0) };
  for (const b of buckets) {
    if (!b.values) continue;
    const t = totalsOf(b.values);
    totals.calls += t.calls;
    totals.errors += t.errors;
    totals.totalMs += t.totalMs;
    totals.maxMs = Math.max(totals.maxMs, t.maxMs);
    t.buckets.forEach((n, i) => (totals.buckets[i]! += n));
  }
  return totals;
}

function figures(t: Totals, seconds: number): RpcFigures {
  const p99 = quantileMs(t.buckets, 0.99);
  return {
    calls: t.calls,
    callsPerSec: t.calls / seconds,
    errors: t.errors,
    errorRate: t.calls ? t.errors / t.calls : 0,
    avgMs: t.calls ? t.totalMs / t.calls : 0,
    p99Ms: t.calls && Number.isFinite(p99) ? p99 : null,
    maxMs: t.maxMs,
  };
}
