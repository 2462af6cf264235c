import { Redis } from 'ioredis';
import { makeTempDir, pollUntil, redisKeySlot, removeTempDir, sleep, startRedisCluster, type RedisClusterHandle } from '@spear/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisBus } from './redis-bus';
import { RedisChannels } from './redis-channels';
import { describeBusContract } from './test-support/bus-contract';
import { message } from './test-support/envelopes';
import { Inbox } from './test-support/inbox';

/** The bus on a real Redis Cluster (three masters, one replica each): sharded pub/sub across shards, and a shard's failover. */
let dir: string;
let cluster: RedisClusterHandle;

beforeAll(async () => {
  dir = makeTempDir('spear-bus-cluster-');
  cluster = await startRedisCluster({ dir });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  if (dir) removeTempDir(dir);
});

const endpoint = () => ({ url: cluster.seeds[0]!, seeds: cluster.seeds.slice(1), cluster: true });

describeBusContract('RedisBus on a Redis Cluster', (keyPrefix) => new RedisBus({ ...endpoint(), keyPrefix }));

describe('RedisBus on a Redis Cluster', () => {
  const buses: RedisBus[] = [];

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  /** Node S and node R on the cluster, R counting its gaps; one envelope S → R has arrived. */
  async function senderAndReceiver(keyPrefix: string) {
    const sender = new RedisBus({ ...endpoint(), keyPrefix });
    const receiver = new RedisBus({ ...endpoint(), keyPrefix });
    buses.push(sender, receiver);
    const inbox = new Inbox();
    let gaps = 0;
    await sender.start('S', () => undefined);
    await receiver.start('R', inbox.receive, () => gaps++);
    await sender.publishToNodes(['R'], message('before'));
    await inbox.waitFor('before');
    return {
      /** R's channel: its slot is the one a test moves or fails over. */
      channel: new RedisChannels(keyPrefix).node('R'),
      gaps: () => gaps,
      /**
       * Publishes `<prefix><k>` to R every 200 ms until one arrives (true) or 20 s pass (false):
       * publishes made while the cluster client learns the new owner may be lost (the bus is at-most-once).
       */
      async receivesAgain(prefix: string): Promise<boolean> {
        const arrived = () => inbox.ids().some((id) => id.startsWith(prefix));
        for (let k = 0, deadline = Date.now() + 20_000; !arrived() && Date.now() < deadline; k++) {
          await sender.publishToNodes(['R'], message(`${prefix}${k}`)).catch(() => undefined);
          await sleep(200);
        }
        return arrived();
      },
    };
  }

  it('refuses classic pub/sub, which a cluster would broadcast to every shard', () => {
    expect(() => new RedisBus({ ...endpoint(), pubsub: 'classic' })).toThrow(/needs sharded pub\/sub/);
  });

  it("reaches nodes whose channels are on every shard in one publish, in order per node", async () => {
    const keyPrefix = 'spread';
    const channels = new RedisChannels(keyPrefix);
    // Node ids whose channels land on three different masters.
    const owners = new Map<number, string>();
    for (let i = 0; owners.size < 3 && i < 200; i++) {
      const owner = await cluster.masterOf(channels.node(`n${i}`));
      if (!owners.has(owner)) owners.set(owner, `n${i}`);
    }
    expect(owners.size).toBe(3);
    const sender = new RedisBus({ ...endpoint(), keyPrefix });
    buses.push(sender);
    await sender.start('sender', () => undefined);
    const inboxes = new Map<string, Inbox>();
    for (const id of owners.values()) {
      const bus = new RedisBus({ ...endpoint(), keyPrefix });
      buses.push(bus);
      const inbox = new Inbox();
      inboxes.set(id, inbox);
      await bus.start(id, inbox.receive);
    }
    const ids = [...owners.values()];
    for (let k = 0; k < 20; k++) await sender.publishToNodes(ids, message(`m${k}`));
    for (const inbox of inboxes.values()) {
      await inbox.waitFor('m19');
      expect(inbox.ids()).toEqual(Array.from({ length: 20 }, (_, k) => `m${k}`));
    }
  });

  it("after the master holding a node's channel is killed, a replica takes over, the node is told of the gap and receives again", async () => {
    const pair = await senderAndReceiver('failover');
    const master = await cluster.masterOf(pair.channel);
    await cluster.kill(master);
    const failover = await cluster.waitForFailover(master);
    expect(await pair.receivesAgain('after-'), `no message after the failover to port ${failover.port}`).toBe(true);
    expect(pair.gaps()).toBeGreaterThan(0);
    await cluster.restart(master);
    await pollUntil(() => cluster.masters(), (masters) => masters.length === 3, 20_000);
  }, 60_000);

  it("after resharding moves the slot of a node's channel to another master, the node is told of the gap and receives again", async () => {
    const pair = await senderAndReceiver('reshard');
    const { channel } = pair;
    const gapsBefore = pair.gaps();

    // Move the channel's slot as redis-cli --cluster reshard would (the slot holds no key: nothing to MIGRATE).
    const slot = redisKeySlot(channel);
    const from = await cluster.masterOf(slot);
    const to = (await cluster.masters()).find((port) => port !== from)!;
    const admin = (port: number) => new Redis(port, '127.0.0.1');
    const [source, target] = [admin(from), admin(to)];
    try {
      const [fromId, toId] = await Promise.all([source.call('CLUSTER', 'MYID'), target.call('CLUSTER', 'MYID')]);
      await target.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', String(fromId));
      await source.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', String(toId));
      for (const port of await cluster.masters()) {
        const node = admin(port);
        await node.call('CLUSTER', 'SETSLOT', slot, 'NODE', String(toId));
        node.disconnect();
      }
    } finally {
      source.disconnect();
      target.disconnect();
    }
    await pollUntil(() => cluster.masterOf(slot), (owner) => owner === to, 10_000);

    expect(await pair.receivesAgain('moved-'), `nothing received after slot ${slot} moved from :${from} to :${to}`).toBe(true);
    expect(pair.gaps()).toBeGreaterThan(gapsBefore);
  }, 60_000);
});
