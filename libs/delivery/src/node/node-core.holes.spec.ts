import { afterEach, describe, expect, it } from 'vitest';
import type { NodeCoreOptions } from './node-options';
import { CoreCluster, settle } from './test-support';

const quickRepair = (o: NodeCoreOptions) => void (o.holeRepair = { afterMs: 20, everyMs: 10, perSweep: 100 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A 1:1 message lost on the (at-most-once) bus, seen from the connection that stays up (seq-holes.ts, hole-repair.ts). */
describe('NodeCore: a message lost on the bus, the recipient still connected', () => {
  let cluster: CoreCluster;
  afterEach(() => cluster?.close());

  async function lostThenLocal() {
    cluster = new CoreCluster();
    await cluster.addNode('n1', quickRepair);
    const n2 = await cluster.addNode('n2', quickRepair);
    const alice = await cluster.connect('n1', 'alice');
    const carol = await cluster.connect('n2', 'carol');
    const bob = await cluster.connect('n2', 'bob');
    // Alice's forward fails (no gap is reported: a publish that timed out), her send is acked: seq 1 is in bob's log only.
    cluster.network.down = true;
    const lost = await alice.send('bob', 'lost');
    cluster.network.down = false;
    // Carol's message, seq 2, reaches bob at once: it shows the hole.
    const later = await carol.send('bob', 'later');
    await settle();
    return { n2, bob, lost, later };
  }

  it('gets the lost message from the log, without reconnecting, once a later one showed the hole', async () => {
    const { n2, bob, lost, later } = await lostThenLocal();
    expect(bob.conn.msgIds()).toEqual([later]);
    await sleep(80);
    expect(bob.conn.msgIds()).toEqual([later, lost]);
    expect(bob.conn.of('msg').map((m) => m['seq'])).toEqual([2, 1]);
    expect(n2.logger.lines).toContain('handed connections the messages they missed on the bus');
    // Handed once: later sweeps find the hole closed.
    await sleep(50);
    expect(bob.conn.msgIds()).toEqual([later, lost]);
  });

  it('an ack {upTo} over the hole is held back to below it until the hole is filled, so the lost message is not acked unseen', async () => {
    const { bob } = await lostThenLocal();
    // What the SDK sends on a connection whose first message was seq 2: it takes 1 for acked before.
    expect(await bob.call('ack', { upTo: 2 })).toEqual({ ok: true });
    expect(cluster.stores.unacked('bob').map((m) => m.seq)).toEqual([1, 2]);
    await sleep(80);
    // The SDK sends its upTo again once it has handled the late one (delivery.seq.spec): now it counts.
    expect(await bob.call('ack', { upTo: 2 })).toEqual({ ok: true });
    expect(cluster.stores.unacked('bob')).toEqual([]);
  });

  it('a lost message no later one reveals: the sender\'s node publishes the refused forward once more, and it arrives once the bus is back', async () => {
    cluster = new CoreCluster();
    await cluster.addNode('n1', (o) => void (o.delivery.forwardRetryMs = 30));
    await cluster.addNode('n2');
    const alice = await cluster.connect('n1', 'alice');
    const bob = await cluster.connect('n2', 'bob');
    cluster.network.down = true;
    const lost = await alice.send('bob', 'the last one for a while');
    cluster.network.down = false; // back, and no gap reported (a publish that timed out)
    await settle();
    expect(bob.conn.msgIds()).toEqual([]);
    await sleep(80);
    expect(bob.conn.msgIds()).toEqual([lost]);
  });

  it('a message acked by another connection of the device meanwhile is not handed again', async () => {
    const { bob, lost, later } = await lostThenLocal();
    const other = await cluster.connect('n1', 'bob'); // same device: its replay carries 1 and 2
    await other.call('ack', { upTo: 2 });
    await sleep(80);
    expect(bob.conn.msgIds()).toEqual([later]);
    expect(other.conn.msgIds()).toEqual([lost, later]);
    // The hole is closed all the same: bob's connection may ack up to 2.
    expect(bob.session.seqFloor).toBe(2);
  });
});
