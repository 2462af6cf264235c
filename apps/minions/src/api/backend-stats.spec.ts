import { describe, expect, it } from 'vitest';
import { BackendStats } from './backend-stats';
import { parseSamples } from './prometheus-text';

/** One node's /metrics with `ok` and `failed` route calls and their latency buckets (seconds, cumulative). */
const node = (ok: number, failed: number, buckets: [number, number, number]) => `
# HELP spear_rpc_route_calls_total Client rpc calls
# TYPE spear_rpc_route_calls_total counter
spear_rpc_route_calls_total{service="spear",nodeId="n",route="shop.",outcome="ok"} ${ok}
spear_rpc_route_calls_total{service="spear",nodeId="n",route="shop.",outcome="timeout"} ${failed}
spear_rpc_route_seconds_bucket{service="spear",nodeId="n",le="0.005",route="shop."} ${buckets[0]}
spear_rpc_route_seconds_bucket{service="spear",nodeId="n",le="0.05",route="shop."} ${buckets[1]}
spear_rpc_route_seconds_bucket{service="spear",nodeId="n",le="+Inf",route="shop."} ${buckets[2]}
spear_hook_calls_total{service="spear",nodeId="n",hook="connect",outcome="allowed"} ${ok}
spear_events_received_total{event="send"} 99
`;

describe('BackendStats', () => {
  it('parses Prometheus text: labels with escapes, +Inf, only the asked-for families', () => {
    const samples = parseSamples('a_total{x="q\\"uote",le="+Inf"} 3\nb_total 1\n# a_total comment', ['a_']);
    expect(samples).toEqual([{ name: 'a_total', labels: { x: 'q"uote', le: '+Inf' }, value: 3 }]);
  });

  it('sums the nodes, and gives rates, error rates and p99 for the time between two reads', () => {
    const stats = new BackendStats();
    const nodes = (a: string, b: string) => [{ node: 'spear-1', text: a }, { node: 'spear-2', text: b }];
    const first = stats.figures(nodes(node(10, 0, [10, 10, 10]), node(5, 0, [5, 5, 5])), 0);
    expect(first).toEqual([
      { kind: 'hook', name: 'connect', calls: 15, callsPerSec: null, errorRate: null, p99Ms: null },
      { kind: 'route', name: 'shop.', calls: 15, callsPerSec: null, errorRate: null, p99Ms: null },
    ]);
    // 2 s later: 100 more route calls, 10 of them timeouts; 80 within 5 ms, 95 within 50 ms, the rest slower.
    const second = stats.figures(nodes(node(100, 10, [90, 105, 120]), node(5, 0, [5, 5, 5])), 2000);
    expect(second.find((f) => f.kind === 'route')).toEqual({ kind: 'route', name: 'shop.', calls: 115, callsPerSec: 50, errorRate: 0.1, p99Ms: null });
    const third = stats.figures(nodes(node(210, 10, [190, 215, 230]), node(5, 0, [5, 5, 5])), 4000); // 110 calls: 100 within 5 ms, all within 50 ms
    expect(third.find((f) => f.kind === 'route')).toMatchObject({ callsPerSec: 55, errorRate: 0, p99Ms: 50 });
  });

  it('a node missing from a read adds nothing; a restarted node (counters lower) counts from zero: never a negative rate or a false spike', () => {
    const stats = new BackendStats();
    stats.figures([{ node: 'a', text: node(100, 0, [100, 100, 100]) }, { node: 'b', text: node(100, 0, [100, 100, 100]) }], 0);
    // b did not answer: only a's 10 new calls count.
    expect(stats.figures([{ node: 'a', text: node(110, 0, [110, 110, 110]) }], 1000).find((f) => f.kind === 'route')).toMatchObject({ calls: 110, callsPerSec: 10 });
    // b is back, restarted: 4 calls since its restart; a did 10 more.
    expect(stats.figures([{ node: 'a', text: node(120, 0, [120, 120, 120]) }, { node: 'b', text: node(4, 0, [4, 4, 4]) }], 2000).find((f) => f.kind === 'route')).toMatchObject({ callsPerSec: 10 });
    expect(stats.figures([{ node: 'a', text: node(130, 0, [130, 130, 130]) }, { node: 'b', text: node(2, 0, [2, 2, 2]) }], 3000).find((f) => f.kind === 'route')).toMatchObject({ callsPerSec: 12 });
  });
});
