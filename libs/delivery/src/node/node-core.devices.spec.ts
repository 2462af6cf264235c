import { afterEach, describe, expect, it } from 'vitest';
import { CoreCluster, settle } from './test-support';

/** PROTOCOL.md "Delivery, v1.1": devices, seq, ack {upTo}, ready.gap, history, sender copies, quotas. */
describe('NodeCore: every device gets every message', () => {
  let cluster: CoreCluster;
  afterEach(() => cluster?.close());

  it('two devices, one offline, the other acks everything: the offline one gets every message on connect, in seq order', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    await cluster.addNode('n2');
    const alice = await cluster.connect('n1', 'alice');
    const laptop = await cluster.connect('n2', 'bob', 'laptop');
    const ids = [];
    for (let i = 1; i <= 5; i++) ids.push(await alice.send('bob', { n: i }));
    await settle();
    expect(laptop.conn.of('msg').map((m) => [m['id'], m['seq']])).toEqual(ids.map((id, i) => [id, i + 1]));
    expect(await laptop.call('ack', { ids })).toEqual({ ok: true });
    // The laptop acked all: it gets nothing again; the phone, never seen, gets all five in order.
    const laptop2 = await cluster.connect('n2', 'bob', 'laptop');
    expect(laptop2.conn.of('msg')).toEqual([]);
    const phone = await cluster.connect('n2', 'bob', 'phone');
    expect(phone.conn.of('ready')[0]).toMatchObject({ device: 'phone', gap: false, groups: [] });
    expect(phone.conn.of('msg').map((m) => m['seq'])).toEqual([1, 2, 3, 4, 5]);
  });

  it('ack {upTo} acks every seq up to it for this device only, and never a seq not yet given', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    const alice = await cluster.connect('n1', 'alice');
    const phone = await cluster.connect('n1', 'bob', 'phone');
    for (let i = 1; i <= 4; i++) await alice.send('bob', i);
    expect(await phone.call('ack', { upTo: 3 })).toEqual({ ok: true });
    phone.close();
    expect((await cluster.connect('n1', 'bob', 'phone')).conn.of('msg').map((m) => m['seq'])).toEqual([4]);
    expect((await cluster.connect('n1', 'bob')).conn.of('msg').map((m) => m['seq'])).toEqual([1, 2, 3, 4]);
    // Acking past the end does not swallow the next message.
    const tablet = await cluster.connect('n1', 'bob', 'tablet');
    await tablet.call('ack', { upTo: 1000 });
    await alice.send('bob', 5);
    tablet.close();
    expect((await cluster.connect('n1', 'bob', 'tablet')).conn.of('msg').map((m) => m['seq'])).toEqual([5]);
  });

  it('ids acked out of order: the cursor moves once the holes are filled', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    const alice = await cluster.connect('n1', 'alice');
    const bob = await cluster.connect('n1', 'bob');
    const ids = [];
    for (let i = 1; i <= 3; i++) ids.push(await alice.send('bob', i));
    await bob.call('ack', { ids: [ids[2], ids[0]] });
    expect(cluster.stores.unacked('bob').map((m) => m.seq)).toEqual([2]);
    await bob.call('ack', { ids: [ids[1]] });
    expect(cluster.stores.unacked('bob')).toEqual([]);
    expect(cluster.stores.log('bob').devices.get('default')).toMatchObject({ cursor: 3 });
  });

  it('ready.gap once, when retention dropped messages the device had not acked', async () => {
    cluster = new CoreCluster({ cap: 3 });
    await cluster.addNode('n1');
    const alice = await cluster.connect('n1', 'alice');
    const phone = await cluster.connect('n1', 'bob', 'phone');
    await alice.send('bob', 1);
    await phone.call('ack', { upTo: 1 });
    phone.close();
    for (let i = 2; i <= 6; i++) await alice.send('bob', i); // the log keeps 4, 5, 6: 2 and 3 dropped unacked
    const back = await cluster.connect('n1', 'bob', 'phone');
    expect(back.conn.of('ready')[0]).toMatchObject({ gap: true });
    expect(back.conn.of('msg').map((m) => m['seq'])).toEqual([4, 5, 6]);
    back.close();
    expect((await cluster.connect('n1', 'bob', 'phone')).conn.of('ready')[0]).toMatchObject({ gap: false });
  });

  it('history: own log newest first, with `before`, `limit` and `with`', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    const [alice, carol, bob] = [await cluster.connect('n1', 'alice'), await cluster.connect('n1', 'carol'), await cluster.connect('n1', 'bob')];
    for (let i = 1; i <= 4; i++) await (i % 2 ? alice : carol).send('bob', i);
    const all = await bob.call('history', {});
    expect((all as unknown as { messages: Array<{ seq: number }> }).messages.map((m) => m.seq)).toEqual([4, 3, 2, 1]);
    const page = await bob.call('history', { before: 4, limit: 2 });
    expect((page as unknown as { messages: Array<{ seq: number }> }).messages.map((m) => m.seq)).toEqual([3, 2]);
    const fromAlice = await bob.call('history', { with: 'alice' });
    expect((fromAlice as unknown as { messages: Array<{ body: number }> }).messages.map((m) => m.body)).toEqual([3, 1]);
    for (const bad of [{ limit: 0 }, { limit: 101 }, { before: 0 }, { with: 'no spaces' }]) {
      expect(await bob.call('history', bad), JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
  });

  it("sender copies: in the sender's log with its own seq, on its other connections, not on the sending one", async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1', (o) => (o.delivery.senderCopies = true));
    await cluster.addNode('n2', (o) => (o.delivery.senderCopies = true));
    const laptop = await cluster.connect('n1', 'alice', 'laptop');
    const phone = await cluster.connect('n2', 'alice', 'phone');
    await cluster.connect('n2', 'bob');
    const ack = await laptop.call('send', { to: 'bob', body: 'hi' });
    expect(ack).toMatchObject({ ok: true, seq: 1 });
    await settle();
    expect(laptop.conn.of('msg')).toEqual([]);
    expect(phone.conn.of('msg')).toEqual([expect.objectContaining({ from: 'alice', to: 'bob', body: 'hi', seq: 1 })]);
    await cluster.connect('n1', 'bob'); // a reply: alice's log gets seq 2
    await (await cluster.connect('n1', 'bob', 'x')).send('alice', 'yo');
    const history = (await laptop.call('history', { with: 'bob' })) as unknown as { messages: Array<{ from: string; seq: number }> };
    expect(history.messages.map((m) => [m.from, m.seq])).toEqual([['bob', 2], ['alice', 1]]);
    // A message to oneself is one log entry, with no copy.
    expect(await laptop.call('send', { to: 'alice', body: 'note' })).not.toHaveProperty('seq');
  });

  it('quota: a sender past its offline budget is refused for offline recipients only', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1', (o) => (o.delivery.offlinePerSender = { perSecond: 0.001, burst: 2 }));
    const spammer = await cluster.connect('n1', 'spammer');
    await cluster.connect('n1', 'online');
    expect(await spammer.call('send', { to: 'away1', body: 1 })).toMatchObject({ ok: true });
    expect(await spammer.call('send', { to: 'away2', body: 1 })).toMatchObject({ ok: true });
    expect(await spammer.call('send', { to: 'away3', body: 1 })).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(await spammer.call('send', { to: 'online', body: 1 })).toMatchObject({ ok: true });
    expect(cluster.stores.unacked('away3')).toEqual([]);
    // Another sender is unaffected.
    expect(await (await cluster.connect('n1', 'other')).call('send', { to: 'away3', body: 1 })).toMatchObject({ ok: true });
  });

  it('quota: known users only refuses an unknown recipient with forbidden, storing nothing', async () => {
    cluster = new CoreCluster({ knownUsersOnly: true });
    await cluster.addNode('n1');
    const alice = await cluster.connect('n1', 'alice');
    expect(await alice.call('send', { to: 'stranger', body: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(cluster.stores.storedCount()).toBe(0);
    cluster.stores.known.add('friend'); // ticket marks a uid known when it issues a token
    expect(await alice.call('send', { to: 'friend', body: 1 })).toMatchObject({ ok: true });
  });

  it("quota: a recipient's log full by bytes refuses new messages, drops only what every device acked", async () => {
    cluster = new CoreCluster({ maxBytes: 700 });
    await cluster.addNode('n1');
    const alice = await cluster.connect('n1', 'alice');
    const bob = await cluster.connect('n1', 'bob');
    const body = 'x'.repeat(100);
    for (let i = 0; i < 3; i++) expect(await alice.call('send', { to: 'bob', body })).toMatchObject({ ok: true });
    expect(await alice.call('send', { to: 'bob', body })).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(cluster.stores.unacked('bob')).toHaveLength(3); // nothing else lost
    await bob.call('ack', { upTo: 2 });
    expect(await alice.call('send', { to: 'bob', body })).toMatchObject({ ok: true });
    expect(cluster.stores.unacked('bob').map((m) => m.seq)).toEqual([3, 4]);
    expect(await alice.call('send', { to: 'carol', body })).toMatchObject({ ok: true }); // others unaffected
  });

  it("quota: the node's store budget refuses past its bytes per second", async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1', (o) => (o.delivery.storeBytesPerSecond = 1000));
    const alice = await cluster.connect('n1', 'alice');
    const body = 'x'.repeat(400);
    expect(await alice.call('send', { to: 'bob', body })).toMatchObject({ ok: true });
    expect(await alice.call('send', { to: 'bob', body })).toMatchObject({ ok: true });
    expect(await alice.call('send', { to: 'bob', body })).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(cluster.stores.storedCount()).toBe(2);
  });

  it('ack payloads: exactly one of ids and upTo', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    const bob = await cluster.connect('n1', 'bob');
    for (const bad of [{}, { ids: ['1'], upTo: 1 }, { upTo: 0 }, { upTo: 1.5 }, { upTo: '3' }]) {
      expect(await bob.call('ack', bad), JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
  });
});
