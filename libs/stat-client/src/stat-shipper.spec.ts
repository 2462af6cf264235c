import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RpcMetrics } from '@spear/rpc';
import { MAX_STAT_SEQ, nodeReport, rpcStatsBatch, NODE_METRIC_NAMES, type NodeMetric } from './contract';
import { shipNodeReports, shipRpcStats, type StatRpc } from './stat-shipper';

function recordingRpc(): StatRpc & { calls: Array<{ method: string; data: unknown }> } {
  const calls: Array<{ method: string; data: unknown }> = [];
  return {
    calls,
    async call<T>(_service: string, method: string, data: unknown): Promise<T> {
      calls.push({ method, data });
      return { stored: true } as T;
    },
  };
}

describe('shipRpcStats', () => {
  it('ships the window deltas as a valid batch, leaving out calls to stat, and nothing when idle', async () => {
    const metrics = new RpcMetrics(new Registry());
    const rpc = recordingRpc();
    const shipper = shipRpcStats({ rpc, metrics, app: 'spear', instance: '127.0.0.1:1', intervalMs: 60_000, capacity: 5 });
    metrics.recordClient('idgen', 'nextBatch', '127.0.0.1:9', 'ok', 0.002);
    metrics.recordClient('stat', 'report', '127.0.0.1:8', 'ok', 0.001);
    shipper.tick();
    shipper.tick(); // nothing new: no batch
    await new Promise((r) => setTimeout(r, 10));
    shipper.stop();
    expect(rpc.calls).toHaveLength(1);
    const batch = rpcStatsBatch.parse(rpc.calls[0]!.data);
    expect(batch.seq).toBe(0);
    expect(batch.entries.map((e) => `${e.side} ${e.service}.${e.method} ${e.calls}`)).toEqual(['client idgen.nextBatch 1']);
  });
});

describe('shipNodeReports', () => {
  it('ships numbered reports that match the contract', async () => {
    const rpc = recordingRpc();
    const metrics = Object.fromEntries(NODE_METRIC_NAMES.map((m, i) => [m, i])) as Record<NodeMetric, number>;
    const shipper = shipNodeReports({ rpc, app: 'spear', instance: '127.0.0.1:2', node: 'spear-1', intervalMs: 60_000, capacity: 5, collect: () => metrics });
    shipper.tick();
    shipper.tick();
    await new Promise((r) => setTimeout(r, 10));
    shipper.stop();
    const reports = rpc.calls.map((c) => nodeReport.parse(c.data));
    expect(reports.map((r) => r.seq)).toEqual([0, 1]);
    expect(reports[0]!.source.boot).toBe(reports[1]!.source.boot);
    expect(reports[0]).toMatchObject({ node: 'spear-1', metrics });
  });
});

describe('seq bound', () => {
  it('continues as a new boot past maxSeq, so seq never leaves what stat accepts', async () => {
    const rpc = recordingRpc();
    const metrics = Object.fromEntries(NODE_METRIC_NAMES.map((m) => [m, 0])) as Record<NodeMetric, number>;
    const shipper = shipNodeReports({ rpc, app: 'spear', instance: '127.0.0.1:2', node: 'spear-1', intervalMs: 60_000, capacity: 10, collect: () => metrics, maxSeq: 2 });
    for (let i = 0; i < 5; i++) shipper.tick();
    await new Promise((r) => setTimeout(r, 10));
    shipper.stop();
    const reports = rpc.calls.map((c) => nodeReport.parse(c.data));
    expect(reports.map((r) => r.seq)).toEqual([0, 1, 2, 0, 1]);
    expect(new Set(reports.slice(0, 3).map((r) => r.source.boot)).size).toBe(1);
    expect(reports[3]!.source.boot).not.toBe(reports[0]!.source.boot);
    expect(nodeReport.safeParse({ ...reports[0], seq: MAX_STAT_SEQ + 1 }).success).toBe(false);
  });
});
