import { afterEach, describe, expect, it } from 'vitest';
import { CoreCluster, settle } from './test-support/core-cluster';

describe('NodeCore: groups', () => {
  let cluster: CoreCluster;
  afterEach(() => cluster.close());

  it('acks a publish once it is in the history, and fans it out to members on every node', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    await cluster.addNode('n2');
    const [a, b, c] = [await cluster.connect('n1', 'a'), await cluster.connect('n2', 'b'), await cluster.connect('n2', 'c')];
    for (const member of [a, b]) expect(await member.call('join', { group: 'room' })).toEqual({ ok: true });
    let release!: () => void;
    cluster.stores.writeGate = new Promise((r) => (release = r));
    let acked = false;
    const publishing = c.call('publish', { group: 'room', body: 'hi' }).then((ack) => ((acked = true), ack));
    await settle();
    expect(acked).toBe(false); // not in the history yet
    release();
    const ack = await publishing;
    expect(ack).toMatchObject({ ok: true });
    const id = (ack as unknown as { id: string }).id;
    expect((await cluster.stores.groupSince('room', '0')).map((m) => m.id)).toEqual([id]);
    await settle();
    for (const member of [a, b]) expect(member.conn.of('group')).toEqual([expect.objectContaining({ id, group: 'room', from: 'c', body: 'hi' })]);
    expect(c.conn.of('group')).toEqual([]); // not a member
  });

  it('stops delivering after leave, and the node leaves the bus group with its last member only', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    await cluster.addNode('n2');
    const [a, a2, b] = [await cluster.connect('n1', 'a'), await cluster.connect('n1', 'a2'), await cluster.connect('n2', 'b')];
    await a.call('join', { group: 'g' });
    await a2.call('join', { group: 'g' });
    expect(await a.call('leave', { group: 'g' })).toEqual({ ok: true });
    expect(await a.call('leave', { group: 'g' })).toEqual({ ok: true }); // idempotent
    expect(cluster.network.groupsOf('n1')).toEqual(['g']); // a2 is still a member here
    await b.call('publish', { group: 'g', body: 1 });
    await settle();
    expect(a.conn.of('group')).toEqual([]);
    expect(a2.conn.of('group')).toHaveLength(1);
    await a2.call('leave', { group: 'g' });
    expect(cluster.network.groupsOf('n1')).toEqual([]);
    expect(cluster.nodes.get('n1')!.core.groupCount).toBe(0);
  });

  it('join with since: the retained messages after it first, then live ones, without gaps', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    const pub = await cluster.connect('n1', 'pub');
    const publish = async (body: number) => ((await pub.call('publish', { group: 'g', body })) as unknown as { id: string }).id;
    const ids = [await publish(1), await publish(2), await publish(3)];
    const late = await cluster.connect('n1', 'late');
    // The history read answers late: a publish lands after its snapshot and before late is in the room.
    cluster.stores.sinceTurns = 10;
    const joining = late.call('join', { group: 'g', since: ids[0] });
    await settle(2);
    ids.push(await publish(4));
    cluster.stores.sinceTurns = 0;
    expect(await joining).toEqual({ ok: true });
    ids.push(await publish(5));
    await settle();
    expect(late.conn.of('group').map((m) => m['id'])).toEqual(ids.slice(1));
  });

  it('join with since older than the history answers history_gone', async () => {
    cluster = new CoreCluster({}, 2);
    await cluster.addNode('n1');
    const pub = await cluster.connect('n1', 'pub');
    const first = ((await pub.call('publish', { group: 'g', body: 1 })) as unknown as { id: string }).id;
    for (const body of [2, 3, 4]) await pub.call('publish', { group: 'g', body });
    const late = await cluster.connect('n1', 'late');
    expect(await late.call('join', { group: 'g', since: first })).toMatchObject({ ok: false, error: { code: 'history_gone' } });
  });

  it('a disconnect leaves every group of the connection, here and on the bus', async () => {
    cluster = new CoreCluster();
    const n1 = await cluster.addNode('n1');
    const a = await cluster.connect('n1', 'a');
    for (const group of ['x', 'y', 'z']) await a.call('join', { group });
    expect(n1.core.groupCount).toBe(3);
    expect(cluster.network.groupsOf('n1').sort()).toEqual(['x', 'y', 'z']);
    a.close();
    await settle();
    expect(n1.core.groupCount).toBe(0);
    expect(n1.core.sessionCount).toBe(0);
    expect(cluster.network.groupsOf('n1')).toEqual([]);
  });

  it('a connection that closes during a join with since is not left in the group', async () => {
    cluster = new CoreCluster();
    const n1 = await cluster.addNode('n1');
    const pub = await cluster.connect('n1', 'pub');
    const first = ((await pub.call('publish', { group: 'g', body: 1 })) as unknown as { id: string }).id;
    const a = await cluster.connect('n1', 'a');
    cluster.stores.sinceTurns = 10;
    const joining = a.call('join', { group: 'g', since: first });
    await settle(2);
    a.close();
    await joining;
    expect(n1.core.groupCount).toBe(0);
    expect(cluster.network.groupsOf('n1')).toEqual([]);
  });

  it('a broadcast reaches every connection of every node', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    const n2 = await cluster.addNode('n2');
    const clients = [await cluster.connect('n1', 'a'), await cluster.connect('n2', 'b')];
    const sent = await n2.core.messages.broadcast({ news: true });
    await settle();
    for (const c of clients) expect(c.conn.of('broadcast')).toEqual([{ id: sent.id, body: { news: true }, ts: sent.ts }]);
  });
});
