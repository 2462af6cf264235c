import { Registry as PromRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperRegistry } from '@spear/registry';
import { RpcClient, RpcMetrics } from '@spear/rpc';
import { zkPaths } from '@spear/catalog';
import { DEV_CLUSTER_SECRET, DEV_ZOOKEEPER_AUTH, makeTempDir, pollUntil, removeTempDir, startZooKeeper, type ZooKeeperHandle } from '@spear/testing';
import { serveBackend, type Backend } from './serve';
import { BackendError } from './types';

const ROOT = '/spear/backend-test';

describe('serveBackend on a real ZooKeeper', () => {
  let dir: string;
  let zk: ZooKeeperHandle;
  let registry: ZooKeeperRegistry;
  let client: RpcClient;
  const backends: Backend[] = [];

  beforeAll(async () => {
    dir = makeTempDir('spear-backend-');
    zk = await startZooKeeper({ dir });
    registry = new ZooKeeperRegistry({ connect: zk.connectString, root: ROOT, sessionTimeoutMs: 10_000, connectTimeoutMs: 10_000, auth: DEV_ZOOKEEPER_AUTH });
    await registry.ready();
    client = new RpcClient({ registry, clusterSecret: DEV_CLUSTER_SECRET, metrics: new RpcMetrics(new PromRegistry()), discoveryWaitMs: 3000 });
  });
  afterAll(async () => {
    await client?.close();
    for (const b of backends) await b.close().catch(() => undefined);
    await registry?.close();
    await zk?.stop();
    removeTempDir(dir);
  });

  it('registers as a provider of its service: routed calls reach its methods, hooks its hooks; close unregisters', async () => {
    const backend = await serveBackend({
      name: 'shop',
      zookeeper: { connect: zk.connectString, root: ROOT, password: DEV_ZOOKEEPER_AUTH.password },
      clusterSecret: DEV_CLUSTER_SECRET,
      methods: {
        'shop.price': (c) => ({ item: c.data, price: 3, for: c.uid }),
        'shop.buy': () => {
          throw new BackendError('out_of_stock', 'none left');
        },
      },
      hooks: { connect: (c) => ({ allow: c.uid !== 'mallory', groups: [`user:${c.uid}`] }) },
    });
    backends.push(backend);
    const call = { uid: 'alice', device: 'default', sessionId: 's', node: 'spear-1', meta: null };
    expect(await client.call('shop', 'rpc', { ...call, method: 'shop.price', data: 'apple' })).toEqual({ data: { item: 'apple', price: 3, for: 'alice' } });
    expect(await client.call('shop', 'rpc', { ...call, method: 'shop.buy', data: null })).toEqual({ error: { code: 'out_of_stock', message: 'none left' } });
    expect(await client.call('shop', 'hook.connect', { uid: 'mallory', device: 'default', node: 'n', sessionId: 's', ip: '::1' })).toEqual({ allow: false, groups: ['user:mallory'] });
    await expect(client.call('shop', 'hook.join', {})).rejects.toMatchObject({ code: 'no_handler' }); // not given: not served
    expect(await registry.list(zkPaths.providers('shop'))).toHaveLength(1);
    await backend.close();
    backends.pop();
    await pollUntil(() => registry.list(zkPaths.providers('shop')), (list) => list.length === 0, 5000);
  });
});
