import { afterEach, describe, expect, it } from 'vitest';
import { CoreCluster, settle, type TestNode } from './test-support';

const NAMESPACES = { room: { policy: 'members' as const, clientPublish: true }, news: { policy: 'open' as const, clientPublish: false } };
const member = (n: TestNode, uid: string, group: string, op: 'add' | 'remove') => n.core.fromBus({ t: 'member', p: { uid, group, op, ts: Date.now() } });

/** PROTOCOL.md v1.1: groups are a server-side resource; namespaces have policies. */
describe('NodeCore: memberships and group policies', () => {
  let cluster: CoreCluster;
  afterEach(() => cluster?.close());

  async function start(): Promise<TestNode> {
    cluster = new CoreCluster();
    const node = await cluster.addNode('n1', (o) => (o.namespaces = NAMESPACES));
    await cluster.addNode('n2', (o) => (o.namespaces = NAMESPACES));
    return node;
  }

  it("at connect every connection joins its user's groups, listed in ready.groups, and gets their messages", async () => {
    await start();
    cluster.stores.memberships.set('alice', new Set(['room:1', 'lobby']));
    const [laptop, phone] = [await cluster.connect('n1', 'alice', 'laptop'), await cluster.connect('n1', 'alice', 'phone')];
    for (const c of [laptop, phone]) expect(c.conn.of('ready')[0]).toMatchObject({ groups: ['lobby', 'room:1'] });
    cluster.stores.memberships.set('bob', new Set(['room:1']));
    const bob = await cluster.connect('n2', 'bob');
    expect(await bob.call('publish', { group: 'room:1', body: 'hi' })).toMatchObject({ ok: true });
    await settle();
    for (const c of [laptop, phone]) expect(c.conn.of('group').map((m) => m['body'])).toEqual(['hi']);
  });

  it('follows membership changes live: added, the next publish arrives; removed, nothing more', async () => {
    const n1 = await start();
    const alice = await cluster.connect('n1', 'alice');
    const pub = await cluster.connect('n2', 'pub');
    cluster.stores.memberships.set('pub', new Set(['room:9']));
    cluster.stores.memberships.set('alice', new Set(['room:9']));
    member(n1, 'alice', 'room:9', 'add');
    await settle();
    await pub.call('publish', { group: 'room:9', body: 1 });
    await settle();
    cluster.stores.memberships.get('alice')!.delete('room:9');
    member(n1, 'alice', 'room:9', 'remove');
    await settle();
    await pub.call('publish', { group: 'room:9', body: 2 });
    await settle();
    expect(alice.conn.of('group').map((m) => m['body'])).toEqual([1]);
  });

  it('members: others get forbidden for join and publish; a namespace without client publish refuses every client publish', async () => {
    await start();
    cluster.stores.memberships.set('alice', new Set(['room:1']));
    const [alice, bob] = [await cluster.connect('n1', 'alice'), await cluster.connect('n1', 'bob')];
    expect(await bob.call('join', { group: 'room:1' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await bob.call('publish', { group: 'room:1', body: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await alice.call('join', { group: 'room:1' })).toEqual({ ok: true });
    expect(await alice.call('publish', { group: 'news:today', body: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await bob.call('join', { group: 'news:today' })).toEqual({ ok: true });
    expect(await bob.call('join', { group: 'anything' })).toEqual({ ok: true }); // no namespace: open
    expect(await bob.call('publish', { group: 'other:1', body: 1 })).toMatchObject({ ok: true }); // undeclared namespace: open
  });

  it('a membership removed while the bus was down is applied when it comes back (no connection stays in a group its user left)', async () => {
    await start();
    cluster.stores.memberships.set('alice', new Set(['room:5', 'room:6']));
    const alice = await cluster.connect('n1', 'alice');
    cluster.network.down = true;
    cluster.stores.memberships.set('alice', new Set(['room:6', 'room:7'])); // the member envelopes were lost
    cluster.network.restore();
    await settle(10);
    const pub = await cluster.connect('n2', 'pub');
    cluster.stores.memberships.set('pub', new Set(['room:5', 'room:7']));
    for (const group of ['room:5', 'room:7']) await pub.call('publish', { group, body: group });
    await settle();
    expect(alice.conn.of('group').map((m) => m['body'])).toEqual(['room:7']);
  });

  it('caps the groups one connection may join (forbidden past it); a group it is in already is no new one', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1', (o) => (o.groupLimits = { maxGroupsPerConnection: 2, replaysAtOnce: 1, slowReaderMs: 1000 }));
    const alice = await cluster.connect('n1', 'alice');
    for (const group of ['g1', 'g2', 'g2']) expect(await alice.call('join', { group })).toEqual({ ok: true });
    expect(await alice.call('join', { group: 'g3' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'at most 2 groups per connection' } });
    await alice.call('leave', { group: 'g1' });
    expect(await alice.call('join', { group: 'g3' })).toEqual({ ok: true });
  });

  it('join with since replays history page by page, all of it, one replay at a time on the node', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1', (o) => (o.groupLimits = { maxGroupsPerConnection: 10, replaysAtOnce: 1, slowReaderMs: 1000 }));
    const pub = await cluster.connect('n1', 'pub');
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) ids.push(((await pub.call('publish', { group: 'big', body: i })) as unknown as { id: string }).id);
    const [a, b] = [await cluster.connect('n1', 'a'), await cluster.connect('n1', 'b')];
    const joins = await Promise.all([a.call('join', { group: 'big', since: ids[0] }), b.call('join', { group: 'big', since: ids[199] })]);
    expect(joins).toEqual([{ ok: true }, { ok: true }]);
    expect(a.conn.of('group').map((m) => m['id'])).toEqual(ids.slice(1));
    expect(b.conn.of('group').map((m) => m['id'])).toEqual(ids.slice(200));
  });

  it('a replay sends a page only once the last one was taken; a client that reads nothing is closed and frees the slot', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1', (o) => (o.groupLimits = { maxGroupsPerConnection: 10, replaysAtOnce: 1, slowReaderMs: 50 }));
    const pub = await cluster.connect('n1', 'pub');
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) ids.push(((await pub.call('publish', { group: 'big', body: i })) as unknown as { id: string }).id);
    const [slow, fast] = [await cluster.connect('n1', 'slow'), await cluster.connect('n1', 'fast')];
    slow.conn.stalled = true;
    await Promise.all([slow.call('join', { group: 'big', since: ids[0] }), fast.call('join', { group: 'big', since: ids[0] })]);
    expect(slow.conn.of('group')).toHaveLength(100); // one page, then closed
    expect(slow.conn.cut).toBe(true); // cut, not closed gracefully: a graceful close would wait behind its queue
    expect(fast.conn.of('group').map((m) => m['id'])).toEqual(ids.slice(1));
    expect(fast.conn.drainWaits).toBe(2); // after each full page
  });

  it('a client reading just fast enough is cut at the replay budget; joins past the waiting bound are refused with rate_limited', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1', (o) => (o.groupLimits = { maxGroupsPerConnection: 10, replaysAtOnce: 1, slowReaderMs: 20 }));
    const pub = await cluster.connect('n1', 'pub');
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push(((await pub.call('publish', { group: 'long', body: i })) as unknown as { id: string }).id);
    const creeper = await cluster.connect('n1', 'creeper');
    creeper.conn.drainDelayMs = 18; // never slow enough to be cut per page: 10 pages take ~180 ms, the budget is 120 ms
    const waiting = await Promise.all(Array.from({ length: 9 }, (_, i) => cluster.connect('n1', `w${i}`)));
    const joins = [creeper, ...waiting].map((c) => c.call('join', { group: 'long', since: ids[0] }));
    const acks = await Promise.all(joins);
    expect(creeper.conn.cut).toBe(true);
    expect(creeper.conn.of('group').length).toBeLessThan(999);
    // One running, 8 waiting (replaysAtOnce x 8): the ninth waiter was refused at once.
    expect(acks.filter((a) => !a.ok).map((a) => (a as { error: { code: string } }).error.code)).toEqual(['rate_limited']);
  });

  it("keeps the group's presence: a uid is online in a group while one of its connections is in it", async () => {
    await start();
    const [a1, a2] = [await cluster.connect('n1', 'alice', 'laptop'), await cluster.connect('n1', 'alice', 'phone')];
    const bob = await cluster.connect('n2', 'bob');
    for (const c of [a1, a2, bob]) await c.call('join', { group: 'lobby' });
    await settle();
    expect(cluster.stores.onlineIn('lobby')).toBe(2);
    await a1.call('leave', { group: 'lobby' });
    await settle();
    expect(cluster.stores.onlineIn('lobby')).toBe(2);
    a2.close();
    bob.close();
    await settle();
    expect(cluster.stores.onlineIn('lobby')).toBe(0);
  });
});
