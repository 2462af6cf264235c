import { afterEach, describe, expect, it } from 'vitest';
import { CoreCluster, settle } from './test-support';

/** PROTOCOL.md v1.1: kick and revocation close live connections after `kicked {reason}`. */
describe('NodeCore: kick', () => {
  let cluster: CoreCluster;
  afterEach(() => cluster?.close());

  it("closes every connection of the uid on this node after kicked, and nobody else's", async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1');
    const [a1, a2, b] = [await cluster.connect('n1', 'alice'), await cluster.connect('n1', 'alice', 'phone'), await cluster.connect('n1', 'bob')];
    cluster.nodes.get('n1')!.core.fromBus({ t: 'kick', p: { uid: 'alice', reason: 'spam', ts: Date.now() } });
    await settle();
    for (const c of [a1, a2]) {
      expect(c.conn.events.at(-1)).toEqual({ event: 'kicked', payload: { reason: 'spam' } });
      expect(c.conn.closed).toBe(true);
    }
    expect(b.conn.closed).toBe(false);
    expect(cluster.nodes.get('n1')!.core.userCount).toBe(1);
  });

  it('with a token reference, closes only the connections whose ticket came from that token', async () => {
    cluster = new CoreCluster();
    const node = await cluster.addNode('n1');
    const first = cluster.open('n1', 'alice', 'laptop', 'tok-a');
    const second = cluster.open('n1', 'alice', 'phone', 'tok-b');
    await settle();
    node.core.fromBus({ t: 'kick', p: { uid: 'alice', reason: 'revoked', token: 'tok-a', ts: Date.now() } });
    await settle();
    expect(first.conn.of('kicked')).toEqual([{ reason: 'revoked' }]);
    expect(first.conn.closed).toBe(true);
    expect(second.conn.of('kicked')).toEqual([]);
    expect(second.conn.closed).toBe(false);
  });
});
