import { parseSamples, type Sample } from './prometheus-text';

/** One route or hook, over every spear node, since the previous read. */
export interface BackendFigures {
  kind: 'route' | 'hook';
  /** The route's `match`, or the hook's name. */
  name: string;
  /** Calls since the node started, over all nodes. */
  calls: number;
  /** Null on the first read (nothing to compare with yet). */
  callsPerSec: number | null;
  /** Share of the calls since the previous read that failed (routes: not `ok`; hooks: no usable answer). */
  errorRate: number | null;
  /** Upper bound of the histogram bucket holding the 99th percentile since the previous read. */
  p99Ms: number | null;
}

/** Per route or hook: counts by outcome and cumulative histogram buckets, summed over the nodes. */
interface Totals {
  calls: number;
  errors: number;
  buckets: Map<number, number>;
}

const FAMILIES = {
  route: { calls: 'spear_rpc_route_calls_total', seconds: 'spear_rpc_route_seconds_bucket', label: 'route', failed: (o: string) => o !== 'ok' },
  hook: { calls: 'spear_hook_calls_total', seconds: 'spear_hook_seconds_bucket', label: 'hook', failed: (o: string) => o.startsWith('failed') },
} as const;

/**
 * Call rate, error rate and p99 of every rpc route and hook, from the spear
 * nodes' Prometheus metrics (whatever backend serves them, RPC or HTTP).
 * Each read is compared with the previous one node by node: the figures
 * cover the time between two reads (the dashboard polls every few seconds).
 * A node missing from either read adds nothing to the rates; a counter
 * lower than before (the node restarted) counts from zero.
 */
export class BackendStats {
  private previous?: { at: number; byNode: Map<string, Map<string, Totals>> };

  /** `metrics`: one /metrics body per spear node that answered, by node id. */
  figures(metrics: ReadonlyArray<{ node: string; text: string }>, now = Date.now()): BackendFigures[] {
    const byNode = new Map<string, Map<string, Totals>>();
    for (const { node, text } of metrics) {
      const totals = new Map<string, Totals>();
      for (const sample of parseSamples(text, ['spear_rpc_route_', 'spear_hook_'])) add(totals, sample);
      byNode.set(node, totals);
    }
    const before = this.previous;
    this.previous = { at: now, byNode };
    const seconds = before ? (now - before.at) / 1000 : 0;
    const keys = new Set([...byNode.values()].flatMap((totals) => [...totals.keys()]));
    return [...keys]
      .map((key) => {
        const [kind, name] = key.split('\u0000') as ['route' | 'hook', string];
        let calls = 0;
        let recent = 0;
        let errors = 0;
        const buckets = new Map<number, number>();
        for (const [node, totals] of byNode) {
          const t = totals.get(key);
          if (!t) continue;
          calls += t.calls;
          const old = before?.byNode.get(node);
          if (!old) continue; // not in the previous read: no interval to measure on this node
          const o = old.get(key);
          const reset = o !== undefined && t.calls < o.calls;
          const base = reset || !o ? { calls: 0, errors: 0, buckets: new Map<number, number>() } : o;
          recent += t.calls - base.calls;
          errors += t.errors - base.errors;
          for (const [le, n] of t.buckets) buckets.set(le, (buckets.get(le) ?? 0) + n - (base.buckets.get(le) ?? 0));
        }
        return {
          kind,
          name,
          calls,
          callsPerSec: before && seconds > 0 ? recent / seconds : null,
          errorRate: before && recent > 0 ? errors / recent : null,
          p99Ms: before && recent > 0 ? p99Of(buckets) : null,
        };
      })
      .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  }
}

function add(totals: Map<string, Totals>, sample: Sample): void {
  for (const [kind, family] of Object.entries(FAMILIES) as Array<[keyof typeof FAMILIES, (typeof FAMILIES)[keyof typeof FAMILIES]]>) {
    if (sample.name !== family.calls && sample.name !== family.seconds) continue;
    const key = `${kind}\u0000${sample.labels[family.label] ?? '?'}`;
    let t = totals.get(key);
    if (!t) totals.set(key, (t = { calls: 0, errors: 0, buckets: new Map() }));
    if (sample.name === family.calls) {
      t.calls += sample.value;
      if (family.failed(sample.labels['outcome'] ?? '')) t.errors += sample.value;
    } else {
      const le = sample.labels['le'] === '+Inf' ? Infinity : Number(sample.labels['le']);
      t.buckets.set(le, (t.buckets.get(le) ?? 0) + sample.value);
    }
  }
}

/** The smallest bucket bound holding 99% of the calls of the interval (cumulative bucket counts). */
function p99Of(counts: Map<number, number>): number | null {
  const bounds = [...counts.keys()].sort((a, b) => a - b);
  const count = (le: number) => counts.get(le) ?? 0;
  const total = count(Infinity);
  if (total <= 0) return null;
  const bound = bounds.find((le) => count(le) >= 0.99 * total);
  return bound === undefined || bound === Infinity ? null : bound * 1000;
}
