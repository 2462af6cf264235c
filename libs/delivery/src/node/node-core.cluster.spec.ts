import { HashRing } from '@spear/ring';
import { afterEach, describe, expect, it } from 'vitest';
import { CoreCluster, settle } from './test-support/core-cluster';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ids = (nodes: Array<{ id: string }>) => nodes.map((n) => n.id);

describe('NodeCore: cluster duties', () => {
  let cluster: CoreCluster;
  afterEach(() => cluster.close());

  it('migrate: when the ring changes, exactly the users that now map elsewhere are told to move, then closed after the grace', async () => {
    cluster = new CoreCluster();
    const n1 = await cluster.addNode('n1');
    const uids = Array.from({ length: 40 }, (_, i) => `u${i}`);
    const clients = await Promise.all(uids.map((uid) => cluster.connect('n1', uid)));
    n1.core.nodesChanged(['n1'], [{ id: 'n1', weight: 1 }]); // the ring the users were placed by: nobody moves
    await sleep(150);
    expect(clients.filter((c) => c.conn.of('migrate').length > 0)).toEqual([]);
    const nodes = [{ id: 'n1', weight: 1 }, { id: 'n2', weight: 1 }];
    n1.core.nodesChanged(ids(nodes), nodes);
    await sleep(250); // 40 at 1000/s, then 30 ms of grace
    const ring = new HashRing(nodes);
    const moving = uids.filter((uid) => ring.get(uid)!.id === 'n2');
    expect(moving.length).toBeGreaterThan(5);
    for (const c of clients) {
      const moved = moving.includes(c.session.uid);
      expect(c.conn.of('migrate'), c.session.uid).toEqual(moved ? [{ reason: 'rebalance', retryAfterMs: 10 }] : []);
      expect(c.conn.closed).toBe(moved);
    }
    expect(n1.core.sessionCount).toBe(40 - moving.length);
  });

  it('migrate is paced at perSecond', async () => {
    cluster = new CoreCluster();
    const n1 = await cluster.addNode('n1', (o) => (o.migration.perSecond = 50));
    const clients = await Promise.all(Array.from({ length: 30 }, (_, i) => cluster.connect('n1', `p${i}`)));
    n1.core.nodesChanged(['n1'], [{ id: 'n1', weight: 1 }]);
    n1.core.nodesChanged(['n1', 'n2'], [{ id: 'n1', weight: 1 }, { id: 'n2', weight: 3 }]);
    await sleep(120);
    const told = clients.filter((c) => c.conn.of('migrate').length > 0).length;
    expect(told).toBeGreaterThan(0);
    expect(told).toBeLessThanOrEqual(10); // 5 per 100 ms tick
  });

  it('dead-node purge: a survivor removes the departed node from its users routes; logs stay', async () => {
    cluster = new CoreCluster();
    for (const id of ['n1', 'n2', 'n3']) await cluster.addNode(id);
    const all = [{ id: 'n1', weight: 1 }, { id: 'n2', weight: 1 }, { id: 'n3', weight: 1 }];
    cluster.liveNodes(all);
    const alice = await cluster.connect('n1', 'alice');
    await cluster.connect('n3', 'bob');
    await alice.send('bob', 'kept');
    expect(cluster.stores.routes.get('bob')).toEqual(new Set(['n3']));
    // n3 crashes (none of its own cleanup runs); the survivors hear it from the registry.
    cluster.kill('n3');
    cluster.liveNodes(all.slice(0, 2));
    await settle();
    expect(cluster.stores.routes.get('bob')).toEqual(new Set());
    expect(cluster.stores.nodeUsers.has('n3')).toBe(false);
    expect(cluster.locks.held.size).toBe(0); // released
    expect(cluster.stores.unacked('bob').length).toBe(1);
    const back = await cluster.connect('n2', 'bob');
    expect(back.conn.of('msg').map((m) => m['body'])).toEqual(['kept']);
  });

  it('a node whose znode data cannot be parsed is still alive: its routes are not purged', async () => {
    cluster = new CoreCluster();
    const n1 = await cluster.addNode('n1');
    await cluster.addNode('n2');
    await cluster.connect('n2', 'bob');
    n1.core.nodesChanged(['n1', 'n2'], [{ id: 'n1', weight: 1 }, { id: 'n2', weight: 1 }]);
    n1.core.nodesChanged(['n1', 'n2'], [{ id: 'n1', weight: 1 }]); // n2's data unusable: out of the ring, not dead
    await settle();
    expect(cluster.stores.routes.get('bob')).toEqual(new Set(['n2']));
  });

  it('a purge that finds the lock held leaves the routes to its holder', async () => {
    cluster = new CoreCluster();
    const n1 = await cluster.addNode('n1');
    await cluster.addNode('n2');
    await cluster.connect('n2', 'bob');
    n1.core.nodesChanged(['n1', 'n2'], []);
    cluster.locks.held.add('n2'); // another survivor is purging n2
    cluster.kill('n2');
    n1.core.nodesChanged(['n1'], []);
    await settle();
    expect(cluster.stores.routes.get('bob')).toEqual(new Set(['n2']));
  });

  it('drain: new connections are refused, every client is told to migrate; close waits for events in flight, then closes the rest', async () => {
    cluster = new CoreCluster();
    const n1 = await cluster.addNode('n1', (o) => (o.migration.drainMs = 5000));
    const a = await cluster.connect('n1', 'a');
    const b = await cluster.connect('n1', 'b');
    expect(n1.core.accepting).toBe(true);
    let release!: () => void;
    cluster.stores.writeGate = new Promise((r) => (release = r));
    const pending = a.call('send', { to: 'b', body: 'in flight' });
    await settle();
    let closed = false;
    const closing = n1.core.close().then(() => (closed = true));
    expect(n1.core.accepting).toBe(false);
    for (const c of [a, b]) expect(c.conn.of('migrate')).toEqual([{ reason: 'shutdown', retryAfterMs: 10 }]);
    a.close();
    b.close();
    await sleep(150);
    expect(closed).toBe(false); // everyone left, but a send is still being stored
    release();
    expect(await pending).toMatchObject({ ok: true });
    const started = Date.now();
    await closing;
    expect(Date.now() - started).toBeLessThan(500); // not the whole drainMs
    cluster.nodes.delete('n1');
  });

  it('close gives up waiting after drainMs and closes whoever is left', async () => {
    cluster = new CoreCluster();
    const n1 = await cluster.addNode('n1', (o) => (o.migration.drainMs = 100));
    const a = await cluster.connect('n1', 'a');
    const started = Date.now();
    await n1.core.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(a.conn.closed).toBe(true);
    expect(n1.core.sessionCount).toBe(0);
    cluster.nodes.delete('n1');
  });

  it('route refresh re-arms the routes of every local user', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1', (o) => (o.routeRefreshMs = 20));
    await cluster.connect('n1', 'alice');
    cluster.stores.routes.get('alice')!.clear(); // as if the entry had expired
    await sleep(60);
    expect(cluster.stores.routes.get('alice')).toEqual(new Set(['n1']));
  });
});
