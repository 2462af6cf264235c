import { sleep } from '@spear/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bus } from '../bus';
import { broadcast, groupMessage, message } from './envelopes';
import { Inbox } from './inbox';
import { openTcpSockets } from './open-sockets';

/** A new, not yet started bus whose names live under `prefix`. */
export type MakeBus = (prefix: string) => Bus;

/** How long "nothing else arrives" is watched after the last expected envelope. */
const QUIET_MS = 300;

interface Node {
  id: string;
  bus: Bus;
  inbox: Inbox;
}

/**
 * The behaviour every {@link Bus} must show, run against a real engine.
 * Each test gets a fresh prefix, so tests never see each other's envelopes.
 */
export function describeBusContract(name: string, makeBus: MakeBus): void {
  describe(`${name}: Bus contract`, () => {
    let socketsBefore: number;
    let nodes: Node[];
    let a: Node;
    let b: Node;
    let c: Node;
    let run = 0;
    let prefix: string;

    beforeEach(async () => {
      socketsBefore = openTcpSockets();
      nodes = [];
      prefix = `t${Date.now().toString(36)}${run++}`;
      const started = await Promise.allSettled(
        ['A', 'B', 'C'].map(async (id) => {
          const node = { id, inbox: new Inbox(), bus: makeBus(prefix) };
          nodes.push(node);
          await node.bus.start(id, node.inbox.receive);
          return node;
        }),
      );
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      [a, b, c] = started.map((result) => (result as PromiseFulfilledResult<Node>).value) as [Node, Node, Node];
    });

    afterEach(async () => {
      await Promise.all(nodes.map((node) => node.bus.close()));
    });

    it('delivers directed envelopes only to the named nodes', async () => {
      await a.bus.publishToNodes(['B'], message('to-b'));
      await b.inbox.waitFor('to-b');

      await a.bus.publishToNodes(['B', 'C'], message('to-b-and-c'));
      await Promise.all([b.inbox.waitFor('to-b-and-c'), c.inbox.waitFor('to-b-and-c')]);

      // A repeated node id still means one delivery; an empty list means none.
      await a.bus.publishToNodes(['C', 'C'], message('to-c-once'));
      await a.bus.publishToNodes([], message('to-nobody'));
      await c.inbox.waitFor('to-c-once');
      await sleep(QUIET_MS);

      expect(a.inbox.ids()).toEqual([]);
      expect(b.inbox.ids()).toEqual(['to-b', 'to-b-and-c']);
      expect(c.inbox.ids()).toEqual(['to-b-and-c', 'to-c-once']);
    });

    it('keeps the order of 1,000 envelopes from one node to another', async () => {
      const ids = Array.from({ length: 1_000 }, (_, i) => `m${i}`);
      // Not awaited one by one: order must hold for concurrent publishes too.
      await Promise.all(ids.map((id) => a.bus.publishToNodes(['B'], message(id))));
      await b.inbox.waitForCount(ids.length, 30_000);
      expect(b.inbox.ids()).toEqual(ids);
    });

    it('delivers many directed envelopes of one turn one by one, in call order, to each destination', async () => {
      // All calls in one synchronous loop, so they share a batch window: receivers must still see plain envelopes.
      const toB: string[] = [];
      const toC: string[] = [];
      const published: Array<Promise<void>> = [];
      for (let i = 0; i < 300; i++) {
        const id = `t${i}`;
        const nodes = i % 3 === 0 ? ['B'] : i % 3 === 1 ? ['C'] : ['B', 'C'];
        if (nodes.includes('B')) toB.push(id);
        if (nodes.includes('C')) toC.push(id);
        published.push(a.bus.publishToNodes(nodes, message(id)));
      }
      await Promise.all(published);
      await Promise.all([b.inbox.waitForCount(toB.length), c.inbox.waitForCount(toC.length)]);
      await sleep(QUIET_MS);
      expect(b.inbox.ids()).toEqual(toB);
      expect(c.inbox.ids()).toEqual(toC);
      expect(a.inbox.ids()).toEqual([]);
      for (const node of [b, c]) expect(new Set(node.inbox.envelopes.map((envelope) => envelope.t))).toEqual(new Set(['msg']));
    });

    it('delivers group envelopes only to nodes that joined, until they leave', async () => {
      await b.bus.joinGroup('room');
      await c.bus.joinGroup('room');
      await c.bus.joinGroup('room'); // idempotent: one leave below is enough
      await a.bus.publishToGroup('room', groupMessage('first', 'room'));
      await Promise.all([b.inbox.waitFor('first'), c.inbox.waitFor('first')]);

      await c.bus.leaveGroup('room');
      await c.bus.leaveGroup('room'); // idempotent
      await a.bus.publishToGroup('room', groupMessage('second', 'room'));
      await a.bus.publishToGroup('other', groupMessage('elsewhere', 'other'));
      await b.inbox.waitFor('second');
      await sleep(QUIET_MS);

      expect(a.inbox.ids()).toEqual([]);
      expect(b.inbox.ids()).toEqual(['first', 'second']);
      expect(c.inbox.ids()).toEqual(['first']);
    });

    it('delivers broadcasts to every node, the sender included', async () => {
      await b.bus.publishBroadcast(broadcast('hello-all'));
      await Promise.all(nodes.map((node) => node.inbox.waitFor('hello-all')));
      await sleep(QUIET_MS);
      for (const node of nodes) expect(node.inbox.ids()).toEqual(['hello-all']);
    });

    it('publishes without start() (publish-only use)', async () => {
      const sender = makeBus(prefix);
      try {
        await sender.publishToNodes(['B'], message('from-sender'));
        await sender.publishBroadcast(broadcast('sender-broadcast'));
        await b.inbox.waitFor('from-sender');
        await Promise.all(nodes.map((node) => node.inbox.waitFor('sender-broadcast')));
      } finally {
        await sender.close();
      }
      await expect(sender.publishBroadcast(broadcast('after-close'))).rejects.toThrow(/closed/);
    });

    it('measures publish-to-receive latency over 1,000 sequential envelopes', async () => {
      const latencies: number[] = [];
      for (let i = 0; i < 1_000; i++) {
        const id = `lat${i}`;
        const started = performance.now();
        await a.bus.publishToNodes(['B'], message(id));
        await b.inbox.waitFor(id);
        latencies.push(performance.now() - started);
      }
      latencies.sort((x, y) => x - y);
      const at = (q: number): string => latencies[Math.floor(q * (latencies.length - 1))]!.toFixed(2);
      console.log(`${name} publish→receive latency ms: p50 ${at(0.5)} p90 ${at(0.9)} p99 ${at(0.99)} max ${at(1)}`);
      // Generous: this guards against an accidental poll interval or linger, not against a slow CI box.
      expect(latencies[Math.floor(0.5 * latencies.length)]).toBeLessThan(50);
      // 1,000 round trips: the Kafka bus takes ~6 ms each on an idle 2-CPU box, past vitest's 5 s default.
    }, 60_000);

    it('close() leaves no sockets open', async () => {
      expect(openTcpSockets()).toBeGreaterThan(socketsBefore);
      await Promise.all(nodes.map((node) => node.bus.close()));
      await Promise.all(nodes.map((node) => node.bus.close())); // idempotent
      expect(openTcpSockets()).toBe(socketsBefore);
      await expect(a.bus.publishBroadcast(broadcast('after-close'))).rejects.toThrow(/closed/);
      await expect(a.bus.start('A', () => undefined)).rejects.toThrow(/once/);
    });
  });
}
