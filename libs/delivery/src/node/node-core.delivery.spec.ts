import { afterEach, describe, expect, it } from 'vitest';
import { CoreCluster, settle } from './test-support/core-cluster';

// v1 delivery guarantees (PROTOCOL.md) of the node core, on in-memory stores and bus.
describe('NodeCore: 1:1 delivery', () => {
  let cluster: CoreCluster;
  afterEach(() => cluster.close());

  it('acks a send only once the message is stored, and emits ready before the inbox', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    const alice = await cluster.connect('n1', 'alice');
    expect(alice.conn.of('ready')).toEqual([{ uid: 'alice', node: 'n1', sessionId: alice.session.id, device: 'default', groups: [], gap: false }]);
    let release!: () => void;
    cluster.stores.writeGate = new Promise((r) => (release = r));
    let acked = false;
    const sending = alice.send('bob', { hi: 1 }).then((id) => ((acked = true), id));
    await settle();
    expect(acked).toBe(false); // the store has not answered yet
    release();
    const id = await sending;
    expect(cluster.stores.unacked('bob').map((m) => m.id)).toEqual([id]);
    const bob = await cluster.connect('n1', 'bob');
    expect(bob.conn.events.map((e) => e.event)).toEqual(['ready', 'msg']);
    expect(bob.conn.of('msg')[0]).toMatchObject({ id, from: 'alice', to: 'bob', body: { hi: 1 } });
  });

  it('delivers live to the recipient on another node, in the order the sends were acked', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    await cluster.addNode('n2');
    const alice = await cluster.connect('n1', 'alice');
    const bob = await cluster.connect('n2', 'bob');
    // Writes of even bodies take longer: unserialized sends would be stored (and forwarded) out of order.
    cluster.stores.writeTurns = (m) => ((m.body as number) % 2 === 0 ? 3 : 0);
    // Not awaited one by one: the core itself must serialize them.
    const acks = await Promise.all(Array.from({ length: 50 }, (_, i) => alice.call('send', { to: 'bob', body: i })));
    const ids = acks.map((a) => (a as unknown as { id: string }).id);
    await settle();
    expect(bob.conn.msgIds()).toEqual(ids);
    expect(bob.conn.of('msg').map((m) => m['body'])).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('redelivers on every new connection until acked, then never again', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    await cluster.addNode('n2');
    const alice = await cluster.connect('n1', 'alice');
    const [a, b] = [await alice.send('bob', 'a'), await alice.send('bob', 'b')];
    const first = await cluster.connect('n2', 'bob');
    expect(first.conn.msgIds()).toEqual([a, b]);
    first.close();
    const second = await cluster.connect('n1', 'bob');
    expect(second.conn.msgIds()).toEqual([a, b]);
    expect(await second.call('ack', { ids: [a] })).toEqual({ ok: true });
    second.close();
    const third = await cluster.connect('n2', 'bob');
    expect(third.conn.msgIds()).toEqual([b]);
  });

  it('gives every connection of a user every message, on one node and across nodes', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    await cluster.addNode('n2');
    const phone = await cluster.connect('n1', 'bob');
    const laptop = await cluster.connect('n1', 'bob');
    const tablet = await cluster.connect('n2', 'bob');
    const alice = await cluster.connect('n2', 'alice');
    const id = await alice.send('bob', 'hello');
    await settle();
    for (const device of [phone, laptop, tablet]) expect(device.conn.msgIds()).toEqual([id]);
    expect(cluster.stores.routes.get('bob')).toEqual(new Set(['n1', 'n2']));
    phone.close();
    await settle();
    expect(cluster.stores.routes.get('bob')).toEqual(new Set(['n1', 'n2'])); // laptop still on n1
    laptop.close();
    await settle();
    expect(cluster.stores.routes.get('bob')).toEqual(new Set(['n2']));
  });

  it('holds live messages while a connection replays its inbox: none lost, none twice, none overtaking', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    const alice = await cluster.connect('n1', 'alice');
    const stored = await alice.send('bob', 'stored');
    // bob's arrival answer comes back late; meanwhile live messages find him in the route.
    cluster.stores.arrivalTurns = 20;
    const { conn } = cluster.open('n1', 'bob');
    const live = [await alice.send('bob', 'live 1'), await alice.send('bob', 'live 2')];
    expect(conn.events).toEqual([]); // held: nothing before ready
    await settle(30);
    expect(conn.events[0]!.event).toBe('ready');
    expect(conn.msgIds()).toEqual([stored, ...live]);
  });

  it('drops a live message that the replay already carried', async () => {
    cluster = new CoreCluster();
    const n1 = await cluster.addNode('n1');
    const alice = await cluster.connect('n1', 'alice');
    const id = await alice.send('bob', 'once');
    cluster.stores.arrivalTurns = 20;
    const { conn } = cluster.open('n1', 'bob');
    // A bus-gap replay hands out the stored message live while the arrival is in flight.
    n1.core.deliverLocal({ t: 'msg', p: cluster.stores.unacked('bob')[0]! });
    await settle(30);
    expect(conn.msgIds()).toEqual([id]);
  });

  it('answers an unacked message again after a bus gap', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    await cluster.addNode('n2');
    const alice = await cluster.connect('n1', 'alice');
    const bob = await cluster.connect('n2', 'bob');
    cluster.network.down = true;
    // The forward fails; the ack still comes (the message is stored) ...
    const id = await alice.send('bob', 'during the outage');
    await settle();
    expect(bob.conn.msgIds()).toEqual([]);
    // ... and bob gets it when the bus is back, from his inbox.
    cluster.network.restore();
    await settle();
    expect(bob.conn.msgIds()).toEqual([id]);
  });
});

describe('NodeCore: connections that leave early', () => {
  let cluster: CoreCluster;
  afterEach(() => cluster.close());

  it('a connection that closes while arriving gets nothing and leaves no route behind', async () => {
    cluster = new CoreCluster();
    const n1 = await cluster.addNode('n1');
    cluster.stores.arrivalTurns = 10;
    const { conn } = cluster.open('n1', 'carol');
    n1.transport.close(conn); // before its arrival answered (the route entry was written)
    await settle(20);
    expect(conn.events).toEqual([]);
    expect(cluster.stores.routes.get('carol')).toEqual(new Set());
    expect(n1.core.sessionCount).toBe(0);
  });
});
