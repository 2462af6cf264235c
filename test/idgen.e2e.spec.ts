import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry as PromRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrefetchingIdSource, type NextBatchReply } from '@spear/idgen-client';
import { ZooKeeperRegistry } from '@spear/registry';
import { RpcClient, RpcMetrics } from '@spear/rpc';
import { parseId, type IdRange } from '@spear/snowflake';
import { DEV_CLUSTER_SECRET, DEV_ZOOKEEPER_AUTH, freePort, startServiceProcess, WORKSPACE_DIST, type ServiceProcess } from '@spear/testing';
import { zookeeperConnectString } from './support/bed-engines';
import { startTestBed, type TestBed } from './support/engines-and-cluster';

const EPOCH = 1_704_067_200_000;

describe('idgen: snowflake ids over RPC with leased worker ids', () => {
  let bed: TestBed;
  let registry: ZooKeeperRegistry;
  let rpc: RpcClient;
  const extra: ServiceProcess[] = [];

  /** Another idgen process on the same deployment (same ZooKeeper root), on its own ports. */
  async function startIdgen(name: string, idgen: Record<string, unknown> = {}): Promise<ServiceProcess> {
    const base = JSON.parse(readFileSync(join(bed.profileDir, 'profile.json'), 'utf8'));
    const [http, rpcPort] = [await freePort(), await freePort()];
    base.idgen = { ...base.idgen, ...idgen, http: { host: '127.0.0.1', port: http }, rpc: { host: '127.0.0.1', port: rpcPort } };
    const profileDir = join(bed.dir, name);
    mkdirSync(profileDir, { recursive: true });
    writeFileSync(join(profileDir, 'profile.json'), JSON.stringify(base));
    const p = await startServiceProcess({ app: 'idgen', baseUrl: `http://127.0.0.1:${http}`, distDir: WORKSPACE_DIST, profileDir, logDir: join(bed.dir, 'logs'), name });
    extra.push(p);
    return p;
  }

  beforeAll(async () => {
    // Only idgen from the cluster; short sessions so failovers are quick.
    bed = await startTestBed({ apps: ['idgen'], overrides: { zookeeper: { sessionTimeoutMs: 3000 } } });
    const root = JSON.parse(readFileSync(join(bed.profileDir, 'profile.json'), 'utf8')).zookeeper.root;
    registry = new ZooKeeperRegistry({ connect: zookeeperConnectString(bed), root, sessionTimeoutMs: 4000, connectTimeoutMs: 5000, auth: DEV_ZOOKEEPER_AUTH });
    rpc = new RpcClient({ registry, clusterSecret: DEV_CLUSTER_SECRET, metrics: new RpcMetrics(new PromRegistry()), services: { idgen: { retrySafe: ['next', 'nextBatch'], timeoutMs: 2000 } } });
  });
  afterAll(async () => {
    await rpc?.close();
    await Promise.all(extra.map((p) => p.stop()));
    await registry?.close();
    await bed?.close();
  });

  it('two instances lease different worker ids; 10,000,000 ids drawn across both are unique and increase per worker', async () => {
    await startIdgen('idgen-b');
    await expect.poll(async () => (await registry.list('/idgen/workers')).map((e) => e.name).sort(), { timeout: 10_000 }).toEqual(['0', '1']);
    await expect.poll(() => rpc.providers('idgen').length, { timeout: 10_000 }).toBe(2);

    const total = 10_000_000;
    const perCall = 4096;
    const byWorker = new Map<number, Array<[bigint, bigint]>>();
    let drawn = 0;
    // Four concurrent streams of batch calls, spread over both providers by the balancer.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (drawn < total) {
          drawn += perCall;
          const reply = await rpc.call<NextBatchReply>('idgen', 'nextBatch', { n: perCall });
          const list = byWorker.get(reply.workerId) ?? [];
          for (const r of reply.ranges as IdRange[]) list.push([BigInt(r.start), BigInt(r.start) + BigInt(r.count) - 1n]);
          byWorker.set(reply.workerId, list);
        }
      }),
    );
    expect([...byWorker.keys()].sort()).toEqual([0, 1]);
    let count = 0n;
    const all: Array<[bigint, bigint]> = [];
    for (const [worker, ranges] of byWorker) {
      for (const [start, end] of ranges) {
        expect(parseId(start, EPOCH).workerId).toBe(worker);
        expect(parseId(end, EPOCH).workerId).toBe(worker);
        count += end - start + 1n;
        all.push([start, end]);
      }
    }
    expect(count).toBeGreaterThanOrEqual(BigInt(total));
    // No two ranges overlap: not one duplicate among all the ids.
    all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (let i = 1; i < all.length; i++) expect(all[i]![0] > all[i - 1]![1]).toBe(true);
  });

  it('the prefetching source hands out ids without a round trip per id', async () => {
    const source = new PrefetchingIdSource(rpc, { batch: 4096 });
    await source.warm();
    const seen = new Set<string>();
    let synchronous = 0;
    for (let i = 0; i < 200_000; i++) {
      const id = source.tryNext();
      if (id !== undefined) synchronous++;
      seen.add(id ?? (await source.next()));
    }
    expect(seen.size).toBe(200_000);
    // Refills run ahead of need: nearly every id comes straight from the buffer.
    expect(synchronous).toBeGreaterThan(199_000);
  });

  it('refuses bad input with bad_request', async () => {
    for (const bad of [{ n: 0 }, { n: 5000 }, { n: 1.5 }, { n: '7' }, null]) {
      await expect(rpc.call('idgen', 'nextBatch', bad)).rejects.toMatchObject({ code: 'bad_request' });
    }
  });

  it('strict mode: only the leader serves; when it is killed the standby serves within the session timeout + 2 s', async () => {
    const leader = await startIdgen('strict-a', { strict: true });
    const standby = await startIdgen('strict-b', { strict: true });
    const strictRpc = new RpcClient({ registry, clusterSecret: DEV_CLUSTER_SECRET, services: { idgen: { retrySafe: ['next'], retries: 5, timeoutMs: 500 } } });
    try {
      // The non-strict instances of the first test are still up; stop them so only the strict pair serves.
      await Promise.all([bed.cluster.service('idgen').stop(), extra[0]!.stop()]);
      await expect.poll(() => strictRpc.providers('idgen').length, { timeout: 10_000 }).toBe(2);
      const before = await strictRpc.call<{ id: string }>('idgen', 'next');
      const metrics = async (p: ServiceProcess) => (await (await fetch(`${p.baseUrl}/metrics`)).text()).match(/^spear_idgen_serving\{[^}]*\} (\d)/m)?.[1];
      expect([await metrics(leader), await metrics(standby)]).toEqual(['1', '0']);

      await leader.kill();
      const killedAt = Date.now();
      let after: { id: string } | undefined;
      while (!after && Date.now() - killedAt < 3000 + 2000) {
        after = await strictRpc.call<{ id: string }>('idgen', 'next').catch(() => undefined);
        if (!after) await new Promise((r) => setTimeout(r, 100));
      }
      expect(after, 'standby did not serve in time').toBeDefined();
      expect(BigInt(after!.id) > BigInt(before.id)).toBe(true);
      expect(await metrics(standby)).toBe('1');
    } finally {
      await strictRpc.close();
    }
  });
});
