import type { RedisClient } from '@spear/bus';
import type { RedisKeys } from '@spear/catalog';
import { NODE_METRIC_NAMES, NODE_METRICS, type NodeMetric, type NodeReport } from '@spear/stat-client';
import { SeriesStore, type Resolution } from './series-store';

/** A node's last report as stat keeps it. */
export interface NodeSnapshot {
  node: string;
  app: string;
  instance: string;
  /** When the node measured it (epoch ms). */
  at: number;
  /** When stat received it. */
  receivedAt: number;
  intervalMs: number;
  /** The sender's process life and the report's number within it (0, 1, 2...). */
  boot: string;
  seq: number;
  metrics: Record<NodeMetric, number>;
}

export interface NodeView extends NodeSnapshot {
  stale: boolean;
  /** Reports stored from this boot among seqs 0..seq: seq + 1 when none was lost. */
  reports: number;
}

/** A point of a series: bucket start (epoch ms) and value, null where nothing was reported. */
export type SeriesPoints = Array<[number, number | null]>;

/**
 * spear node reports: the latest snapshot per node (a Redis hash) and each
 * metric as a rolling series per node. Series values per bucket are kept as
 * (sum, count, max) so a bucket holding several reports answers the mean, or
 * the max for metrics that add up by max (NODE_METRICS).
 * Guarantee: a report resent after a timeout is counted once.
 */
export class NodeStats {
  private readonly series: SeriesStore;
  private readonly latestKey: string;

  /** `keys`: the profile's key names (libs/catalog). */
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly resolutions: { fine: Resolution; coarse: Resolution },
    private readonly staleAfterMs: number,
  ) {
    this.series = new SeriesStore(redis, keys, 'node', 'ssm', [resolutions.fine, resolutions.coarse]);
    this.latestKey = keys.statNodeLatest();
  }

  /** Stores a validated report; false when it was a resend. */
  async record(report: NodeReport, receivedAt = Date.now()): Promise<boolean> {
    const { source, node } = report;
    const points = NODE_METRIC_NAMES.map((metric) => ({ series: `${node}:${metric}`, values: [report.metrics[metric], 1, report.metrics[metric]] }));
    const fresh = await this.series.record(`${source.app}/${source.instance}/${source.boot}`, report.seq, report.at, points);
    // Written even for a resend: these writes are idempotent, and a resend may follow a first try whose series
    // write succeeded but whose writes here failed.
    const snapshot: NodeSnapshot = { node, app: source.app, instance: source.instance, at: report.at, receivedAt, intervalMs: report.intervalMs, boot: source.boot, seq: report.seq, metrics: report.metrics };
    // A bitmap per node and boot, bit `seq` set once that report is stored: BITCOUNT = reports stored, idempotent under resends.
    const counted = this.keys.statNodeReports(node, source.boot);
    await this.redis.multi().setbit(counted, report.seq, 1).expire(counted, this.resolutions.coarse.keepSeconds).exec();
    await this.redis.eval(KEEP_NEWEST, 1, this.latestKey, node, source.boot, report.seq, JSON.stringify(snapshot));
    return fresh;
  }

  /** Every node that reported within the coarse retention, with its staleness. */
  async nodes(now = Date.now()): Promise<NodeView[]> {
    const all = await this.redis.hgetall(this.latestKey);
    const retention = this.resolutions.coarse.keepSeconds * 1000;
    const views: NodeView[] = [];
    for (const [node, json] of Object.entries(all)) {
      const snapshot = JSON.parse(json) as NodeSnapshot;
      if (now - snapshot.receivedAt > retention) {
        await this.redis.hdel(this.latestKey, node);
        continue;
      }
      // Counted up to the snapshot's seq: reports stored after the snapshot was read do not count yet.
      const reports = await this.redis.bitcount(this.keys.statNodeReports(node, snapshot.boot), 0, snapshot.seq, 'BIT');
      views.push({ ...snapshot, stale: now - snapshot.receivedAt > this.staleAfterMs, reports });
    }
    return views.sort((a, b) => a.node.localeCompare(b.node));
  }

  /** Cluster totals over the nodes that are not stale (sum, or max per NODE_METRICS). */
  async totals(now = Date.now()): Promise<{ nodes: number; live: number; stale: number; metrics: Record<NodeMetric, number> }> {
    const nodes = await this.nodes(now);
    const live = nodes.filter((n) => !n.stale);
    const metrics = Object.fromEntries(NODE_METRIC_NAMES.map((m) => [m, combine(m, live.map((n) => n.metrics[m]))])) as Record<NodeMetric, number>;
    return { nodes: nodes.length, live: live.length, stale: nodes.length - live.length, metrics };
  }

  /**
   * `metric` for one node, or for all nodes combined, over [from, to] in
   * `fine` or `coarse` buckets. A bucket with no report from any node is null.
   */
  async seriesOf(metric: NodeMetric, node: string | 'all', resolution: 'fine' | 'coarse', from: number, to: number): Promise<SeriesPoints> {
    const res = this.resolutions[resolution];
    const nodes = node === 'all' ? (await this.nodes()).map((n) => n.node) : [node];
    const perNode = await Promise.all(nodes.map((n) => this.series.read(`${n}:${metric}`, res, from, to)));
    if (perNode.length === 0) return pointsOf(await this.series.read(`-:${metric}`, res, from, to), () => null);
    return perNode[0]!.map((bucket, i) => {
      const values = perNode.map((buckets) => buckets[i]!.values).filter((v): v is number[] => v !== null);
      if (values.length === 0) return [bucket.t, null];
      return [bucket.t, combine(metric, values.map((v) => (NODE_METRICS[metric] === 'max' ? v[2]! : v[0]! / v[1]!)))];
    });
  }
}

function combine(metric: NodeMetric, values: number[]): number {
  if (values.length === 0) return 0;
  return NODE_METRICS[metric] === 'max' ? Math.max(...values) : values.reduce((a, b) => a + b, 0);
}

function pointsOf(buckets: Array<{ t: number }>, value: () => number | null): SeriesPoints {
  return buckets.map((b) => [b.t, value()]);
}

/**
 * Replaces a node's snapshot unless the stored one is a later report of the
 * same process life (ARGV: node, boot, seq, snapshot JSON): a resend or a late
 * report never goes back in time, and a restarted node (new boot) always wins,
 * whatever its clock says.
 */
const KEEP_NEWEST = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local stored = cjson.decode(current)
  if stored.boot == ARGV[2] and tonumber(stored.seq) > tonumber(ARGV[3]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
return 1`;
