import { describe, expect, it } from 'vitest';
import { SnowflakeGenerator } from '@spear/snowflake';
import type { RpcClient } from '@spear/rpc';
import { PrefetchingIdSource } from './prefetching-id-source';

/** Stands in for the RPC client: serves nextBatch from a local generator and counts calls. */
function fakeRpc(options: { fail?: boolean } = {}) {
  const generator = new SnowflakeGenerator({ workerId: 3 });
  const state = { calls: 0, inFlight: 0, maxInFlight: 0 };
  const rpc = {
    async call(service: string, method: string, data: { n: number }) {
      expect([service, method]).toEqual(['idgen', 'nextBatch']);
      state.calls++;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      await new Promise((r) => setTimeout(r, 5));
      state.inFlight--;
      if (options.fail) throw Object.assign(new Error('no live provider of idgen'), { code: 'no_provider' });
      return { ranges: generator.nextRanges(data.n), workerId: 3 };
    },
  };
  return { rpc: rpc as unknown as RpcClient, state };
}

describe('PrefetchingIdSource', () => {
  it('hands out unique, increasing ids, refilling ahead of need with one call at a time', async () => {
    const { rpc, state } = fakeRpc();
    const source = new PrefetchingIdSource(rpc, { batch: 100, lowWater: 50 });
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push(await source.next());
    expect(new Set(ids).size).toBe(1000);
    for (let i = 1; i < ids.length; i++) expect(BigInt(ids[i]!) > BigInt(ids[i - 1]!)).toBe(true);
    expect(state.maxInFlight).toBe(1);
    expect(state.calls).toBeGreaterThanOrEqual(10);
  });

  it('tryNext gives nothing while empty and starts a refill', async () => {
    const { rpc, state } = fakeRpc();
    const source = new PrefetchingIdSource(rpc, { batch: 10 });
    expect(source.tryNext()).toBeUndefined();
    expect(state.calls).toBe(1);
    await source.warm();
    expect(source.buffered).toBeGreaterThan(0);
  });

  it('reports idgen being unreachable to the caller that needs an id', async () => {
    const { rpc } = fakeRpc({ fail: true });
    await expect(new PrefetchingIdSource(rpc, { batch: 10 }).next()).rejects.toMatchObject({ code: 'no_provider' });
  });
});
