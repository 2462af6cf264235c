import Redis from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisKeys } from '@spear/catalog';
import { NODE_METRIC_NAMES, type NodeMetric, type NodeReport, type RpcStatsBatch } from '@spear/stat-client';
import { makeTempDir, removeTempDir, startRedis, type RedisHandle } from '@spear/testing';
import { WINDOW_BUCKETS_MS } from '@spear/rpc';
import { NodeStats } from './node-stats';
import { RpcStats } from './rpc-stats';

// Not the legacy prefix: the stores must write under the profile's prefix.
const keys = new RedisKeys('stat-test:');
const resolutions = { fine: { stepSeconds: 1, keepSeconds: 600 }, coarse: { stepSeconds: 10, keepSeconds: 86_400 } };
const T0 = Math.floor(Date.now() / 10_000) * 10_000 - 60_000; // a coarse bucket boundary a minute ago

function metrics(values: Partial<Record<NodeMetric, number>>): Record<NodeMetric, number> {
  return { ...(Object.fromEntries(NODE_METRIC_NAMES.map((m) => [m, 0])) as Record<NodeMetric, number>), ...values };
}

function report(node: string, seq: number, at: number, values: Partial<Record<NodeMetric, number>>, boot = 'boot-1'): NodeReport {
  return { source: { app: 'spear', instance: `127.0.0.1:${node === 'spear-1' ? 1 : 2}`, boot }, seq, node, at, intervalMs: 2000, metrics: metrics(values) };
}

describe('stat stores on a real Redis', () => {
  let dir: string;
  let server: RedisHandle;
  let redis: Redis;

  beforeAll(async () => {
    dir = makeTempDir('spear-stat-');
    server = await startRedis({ dir });
    redis = new Redis(server.url);
  });
  beforeEach(async () => {
    await redis.flushall();
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    removeTempDir(dir);
  });

  it('aggregates two nodes: totals add up (max for lag), series per node and for all', async () => {
    const stats = new NodeStats(redis, keys, resolutions, 10_000);
    const now = Date.now();
    expect(await stats.record(report('spear-1', 0, now, { connections: 10, msgsInPerSec: 5, busLagP99Ms: 3 }))).toBe(true);
    expect(await stats.record(report('spear-2', 0, now, { connections: 7, msgsInPerSec: 2, busLagP99Ms: 9 }))).toBe(true);
    const totals = await stats.totals();
    expect(totals).toMatchObject({ nodes: 2, live: 2, stale: 0 });
    expect(totals.metrics).toMatchObject({ connections: 17, msgsInPerSec: 7, busLagP99Ms: 9 });
    const all = await stats.seriesOf('connections', 'all', 'fine', now, now);
    expect(all).toEqual([[Math.floor(now / 1000) * 1000, 17]]);
    expect(await stats.seriesOf('connections', 'spear-2', 'fine', now, now)).toEqual([[Math.floor(now / 1000) * 1000, 7]]);
  });

  it('puts reports into the right buckets: the mean within a bucket, null where nothing came', async () => {
    const stats = new NodeStats(redis, keys, resolutions, 10_000);
    // Reports at T0 + 0, 2, 4 s (fine buckets 0, 2, 4) and T0 + 12 s (second coarse bucket).
    const points = [[0, 10], [2000, 20], [4000, 60], [12_000, 5]] as const;
    for (const [i, [dt, v]] of points.entries()) await stats.record(report('spear-1', i, T0 + dt, { users: v }));
    const fine = await stats.seriesOf('users', 'spear-1', 'fine', T0, T0 + 4999);
    expect(fine).toEqual([[T0, 10], [T0 + 1000, null], [T0 + 2000, 20], [T0 + 3000, null], [T0 + 4000, 60]]);
    const coarse = await stats.seriesOf('users', 'spear-1', 'coarse', T0, T0 + 19_999);
    expect(coarse).toEqual([[T0, 30], [T0 + 10_000, 5]]);
  });

  it('counts a resent report once, and a new boot of the same node again', async () => {
    const stats = new NodeStats(redis, keys, resolutions, 10_000);
    const at = T0 + 30_000;
    expect(await stats.record(report('spear-1', 5, at, { msgsInPerSec: 4 }))).toBe(true);
    expect(await stats.record(report('spear-1', 5, at, { msgsInPerSec: 4 }))).toBe(false);
    expect(await stats.record(report('spear-1', 4, at, { msgsInPerSec: 4 }))).toBe(false);
    expect(await stats.seriesOf('msgsInPerSec', 'spear-1', 'fine', at, at)).toEqual([[at, 4]]);
    expect(await stats.record(report('spear-1', 0, at, { msgsInPerSec: 8 }, 'boot-2'))).toBe(true);
    expect(await stats.seriesOf('msgsInPerSec', 'spear-1', 'fine', at, at)).toEqual([[at, 6]]); // mean of 4 and 8
  });

  it('counts each stored report once, up to the snapshot it shows, so reports === seq + 1 when none was lost', async () => {
    const stats = new NodeStats(redis, keys, resolutions, 10_000);
    const now = Date.now();
    for (const seq of [0, 1, 2]) await stats.record(report('spear-1', seq, now + seq, { users: seq }));
    await stats.record(report('spear-1', 1, now + 1, { users: 1 })); // a resend
    const [view] = await stats.nodes();
    expect(view).toMatchObject({ node: 'spear-1', seq: 2, reports: 3, metrics: { users: 2 } });
    await stats.record(report('spear-1', 4, now + 4, { users: 4 })); // 3 never arrived
    expect((await stats.nodes())[0]).toMatchObject({ seq: 4, reports: 4 });
  });

  it('marks a node that stopped reporting as stale and leaves it out of the totals', async () => {
    const stats = new NodeStats(redis, keys, resolutions, 1000);
    const now = Date.now();
    await stats.record(report('spear-1', 0, now, { connections: 3 }), now - 5000);
    await stats.record(report('spear-2', 0, now, { connections: 4 }), now);
    const nodes = await stats.nodes(now);
    expect(nodes.map((n) => [n.node, n.stale])).toEqual([['spear-1', true], ['spear-2', false]]);
    expect((await stats.totals(now)).metrics.connections).toBe(4);
  });

  it('overwrites ring slots of an older lap instead of growing', async () => {
    const small = { fine: { stepSeconds: 1, keepSeconds: 10 }, coarse: { stepSeconds: 10, keepSeconds: 100 } };
    const stats = new NodeStats(redis, keys, small, 10_000);
    for (let i = 0; i < 50; i++) await stats.record(report('spear-1', i, T0 + i * 1000, { users: i }));
    expect(await redis.hlen(keys.statSeries('node', 1, 'spear-1:users'))).toBe(10);
    // Bucket T0 + 5 s was overwritten by T0 + 15 s, 25 s...: reading it now answers null, not a later lap's value.
    expect(await stats.seriesOf('users', 'spear-1', 'fine', T0 + 5000, T0 + 5000)).toEqual([[T0 + 5000, null]]);
    expect(await stats.seriesOf('users', 'spear-1', 'fine', T0 + 45_000, T0 + 45_000)).toEqual([[T0 + 45_000, 45]]);
  });

  it('summarises RPC calls per method and provider: rates, error rate, p99 by bucket bound', async () => {
    const rpc = new RpcStats(redis, keys, resolutions);
    const now = Date.now();
    const buckets = (fast: number, slow: number) => {
      const b = new Array<number>(WINDOW_BUCKETS_MS.length + 1).fill(0);
      b[WINDOW_BUCKETS_MS.indexOf(1)] = fast;
      b[WINDOW_BUCKETS_MS.indexOf(50)] = slow;
      return b;
    };
    const batch = (instance: string, provider: string, calls: number, errors: number, slow: number): RpcStatsBatch => ({
      source: { app: 'spear', instance, boot: 'b-1' },
      seq: 0,
      at: now,
      intervalMs: 5000,
      entries: [{ side: 'client', service: 'idgen', method: 'nextBatch', provider, calls, errors, totalMs: calls, maxMs: slow ? 40 : 1, buckets: buckets(calls - slow, slow) }],
    });
    expect(await rpc.record(batch('127.0.0.1:1', '127.0.0.1:9110', 300, 3, 0))).toBe(true);
    expect(await rpc.record(batch('127.0.0.1:2', '127.0.0.1:9111', 300, 0, 12))).toBe(true);
    expect(await rpc.record(batch('127.0.0.1:2', '127.0.0.1:9111', 300, 0, 12))).toBe(false);
    const [summary, ...rest] = await rpc.summary(60);
    expect(rest).toEqual([]);
    expect(summary).toMatchObject({ side: 'client', service: 'idgen', method: 'nextBatch', calls: 600, callsPerSec: 10, errors: 3, errorRate: 0.005, p99Ms: 50, maxMs: 40 });
    expect(summary!.providers.map((p) => [p.provider, p.calls, p.p99Ms])).toEqual([['127.0.0.1:9110', 300, 1], ['127.0.0.1:9111', 300, 50]]);
    const series = await rpc.seriesOf({ side: 'client', service: 'idgen', method: 'nextBatch' }, 'callsPerSec', 'fine', now, now);
    expect(series).toEqual([[Math.floor(now / 1000) * 1000, 600]]);
    // Everything both stores wrote is in the catalog's stat family, under the given prefix.
    await new NodeStats(redis, keys, resolutions, 10_000).record(report('spear-1', 0, now, { users: 1 }));
    expect((await redis.keys('*')).filter((key) => keys.familyOf(key) !== 'stat')).toEqual([]);
  });
});
