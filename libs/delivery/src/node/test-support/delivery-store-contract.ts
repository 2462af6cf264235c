import { describe, expect, it } from 'vitest';
import type { MsgEvent } from '@spear/protocol';
import type { LogOptions } from '../../log/log-options';
import type { Unacked } from '../../log/user-log';
import type { DeliveryStore } from '../delivery-store';
import { TEST_LOG_OPTIONS } from './memory-stores';

/** A fresh, empty set of stores with these log options: each node's view, and ticket's parts (a uid marked known, a membership). */
export interface ContractStores {
  forNode(nodeId: string): DeliveryStore;
  markKnown(uid: string): Promise<void>;
  addMember(group: string, uid: string): Promise<void>;
}

let n = 0;
const message = (from: string, to: string, body: unknown = null): MsgEvent => ({ id: String(9_000_000 + ++n), from, to, body, ts: Date.now() });
const seqs = (read: MsgEvent[] | Unacked) => (Array.isArray(read) ? read : read.messages).map((m) => m.seq);

/**
 * What every DeliveryStore's logs guarantee (UserLog in Redis, MemoryStores
 * for the node core's unit tests): run against both, so the fake the core's
 * specs trust is the real thing's twin.
 */
export function deliveryStoreContract(name: string, make: (options: LogOptions) => Promise<ContractStores>): void {
  const stores = (options: Partial<LogOptions> = {}) => make({ ...TEST_LOG_OPTIONS, ...options });

  describe(`${name}: the DeliveryStore contract (logs and devices)`, () => {
    it('appends with seqs 1, 2, 3...; a repeated id keeps its seq; answers where the owner is connected', async () => {
      const s = await stores();
      const node = s.forNode('n1');
      const first = message('a', 'bob');
      expect(await node.storeMessage(first, { kind: 'send' })).toEqual({ seq: 1, nodes: [] });
      await node.arrive('bob', 'phone', true);
      expect(await node.storeMessage(message('a', 'bob'), { kind: 'send' })).toEqual({ seq: 2, nodes: ['n1'] });
      expect(await node.storeMessage(first, { kind: 'send' })).toEqual({ seq: 1, nodes: ['n1'] });
      expect(seqs(await node.unacked('bob', 'phone'))).toEqual([1, 2]);
    });

    it('keeps delivery state per device: an ack of one leaves the others everything', async () => {
      const s = await stores();
      const node = s.forNode('n1');
      const sent = [message('a', 'bob'), message('a', 'bob'), message('a', 'bob')];
      for (const m of sent) await node.storeMessage(m, { kind: 'send' });
      const laptop = await node.arrive('bob', 'laptop', true);
      expect(laptop).toEqual({ gap: false, groups: [], last: 3, messages: sent.map((m, i) => ({ ...m, seq: i + 1 })) });
      await node.ack('bob', 'laptop', { ids: [sent[2]!.id, sent[0]!.id, '123'] });
      expect(seqs(await node.unacked('bob', 'laptop'))).toEqual([2]);
      await node.ack('bob', 'laptop', { upTo: 2 });
      expect(await node.unacked('bob', 'laptop')).toEqual({ messages: [], last: 3 });
      expect(seqs((await node.arrive('bob', 'phone', false)).messages)).toEqual([1, 2, 3]);
    });

    it('upTo sets the cursor as given (the node clamps it), and ids acked after it fill holes above it', async () => {
      const s = await stores();
      const node = s.forNode('n1');
      const sent = [message('a', 'bob'), message('a', 'bob'), message('a', 'bob'), message('a', 'bob')];
      for (const m of sent) await node.storeMessage(m, { kind: 'send' });
      await node.arrive('bob', 'phone', true);
      await node.ack('bob', 'phone', { upTo: 2 });
      await node.ack('bob', 'phone', { ids: [sent[3]!.id] });
      expect(seqs(await node.unacked('bob', 'phone'))).toEqual([3]);
      await node.ack('bob', 'phone', { ids: [sent[2]!.id] });
      expect(await node.unacked('bob', 'phone')).toEqual({ messages: [], last: 4 });
    });

    it("reads carry the log's last seq: below it, what a read does not return is acked (or past retention)", async () => {
      const s = await stores({ cap: 3 });
      const node = s.forNode('n1');
      expect(await node.unacked('bob', 'phone')).toEqual({ messages: [], last: 0 });
      expect((await node.arrive('bob', 'phone', true)).last).toBe(0);
      const sent = [message('a', 'bob'), message('a', 'bob'), message('a', 'bob'), message('a', 'bob')];
      for (const m of sent) await node.storeMessage(m, { kind: 'send' });
      await node.ack('bob', 'phone', { ids: [sent[2]!.id] });
      // Seq 1 is past the cap, 3 is acked: the read returns 2 and 4, and says the log goes up to 4.
      const read = await node.unacked('bob', 'phone');
      expect([seqs(read), read.last]).toEqual([[2, 4], 4]);
      const arrival = await node.arrive('bob', 'phone', false);
      expect([seqs(arrival.messages), arrival.last]).toEqual([[2, 4], 4]);
      await node.ack('bob', 'phone', { upTo: 4 });
      expect(await node.unacked('bob', 'phone')).toEqual({ messages: [], last: 4 });
    });

    it('retention by count: gap once for a device that had not acked what was dropped', async () => {
      const s = await stores({ cap: 2 });
      const node = s.forNode('n1');
      await node.arrive('bob', 'phone', true);
      await node.arrive('bob', 'laptop', true);
      for (let i = 0; i < 2; i++) await node.storeMessage(message('a', 'bob'), { kind: 'send' });
      await node.ack('bob', 'laptop', { upTo: 2 });
      for (let i = 0; i < 2; i++) await node.storeMessage(message('a', 'bob'), { kind: 'send' });
      const phone = await node.arrive('bob', 'phone', false);
      expect([phone.gap, seqs(phone.messages)]).toEqual([true, [3, 4]]);
      expect((await node.arrive('bob', 'phone', false)).gap).toBe(false);
      const laptop = await node.arrive('bob', 'laptop', false);
      expect([laptop.gap, seqs(laptop.messages)]).toEqual([false, [3, 4]]);
    });

    it('retention by age: messages older than ttlSeconds are gone from delivery and history', async () => {
      const s = await stores({ ttlSeconds: 60 });
      const node = s.forNode('n1');
      await node.storeMessage({ ...message('a', 'bob'), ts: Date.now() - 120_000 }, { kind: 'send' });
      await node.storeMessage(message('a', 'bob'), { kind: 'send' });
      expect(seqs((await node.arrive('bob', 'phone', true)).messages)).toEqual([2]);
      expect(seqs(await node.historyOf('bob', { limit: 50 }))).toEqual([2]);
    });

    it('history: newest first, before, limit, with (and sender copies of the conversation)', async () => {
      const s = await stores();
      const node = s.forNode('n1');
      for (const from of ['alice', 'carol', 'alice', 'carol']) await node.storeMessage(message(from, 'bob'), { kind: 'send' });
      const reply = message('bob', 'alice');
      await node.storeMessage(reply, { kind: 'send' });
      expect(await node.storeMessage(reply, { kind: 'copy' })).toEqual({ seq: 5, nodes: [] });
      expect(seqs(await node.historyOf('bob', { limit: 50 }))).toEqual([5, 4, 3, 2, 1]);
      expect(seqs(await node.historyOf('bob', { before: 4, limit: 2 }))).toEqual([3, 2]);
      expect(seqs(await node.historyOf('bob', { with: 'alice', limit: 50 }))).toEqual([5, 3, 1]);
      expect(seqs(await node.historyOf('alice', { with: 'bob', limit: 50 }))).toEqual([1]);
      expect(await node.historyOf('nobody', { limit: 50 })).toEqual([]);
    });

    it('quotas refuse with nothing written: unknown recipients, offline ones past the budget', async () => {
      const s = await stores({ knownUsersOnly: true });
      const node = s.forNode('n1');
      await expect(node.storeMessage(message('a', 'stranger'), { kind: 'send' })).rejects.toMatchObject({ code: 'forbidden' });
      await expect(node.storeMessage(message('system', 'stranger'), { kind: 'push' })).resolves.toMatchObject({ seq: 1 });
      await s.markKnown('friend');
      await expect(node.storeMessage(message('a', 'friend'), { kind: 'send', offlineAllowed: false })).rejects.toMatchObject({ code: 'rate_limited' });
      await expect(node.storeMessage(message('a', 'friend'), { kind: 'send' })).resolves.toMatchObject({ seq: 1 });
      await node.arrive('friend', 'phone', true);
      await expect(node.storeMessage(message('a', 'friend'), { kind: 'send', offlineAllowed: false })).resolves.toMatchObject({ seq: 2 });
      await node.offline('friend');
      // A membership makes a uid known too.
      await s.addMember('room:1', 'member-only');
      await expect(node.storeMessage(message('a', 'member-only'), { kind: 'send' })).resolves.toMatchObject({ seq: 1 });
    });

    it('memberships: groupsOf sorted, isMember', async () => {
      const s = await stores();
      const node = s.forNode('n1');
      for (const group of ['room:2', 'lobby', 'room:1']) await s.addMember(group, 'alice');
      expect(await node.groupsOf('alice')).toEqual(['lobby', 'room:1', 'room:2']);
      expect(await node.groupsOf('nobody')).toEqual([]);
      expect([await node.isMember('lobby', 'alice'), await node.isMember('lobby', 'bob')]).toEqual([true, false]);
      // An arrival reads them in the same call.
      expect((await node.arrive('alice', 'phone', true)).groups).toEqual(['lobby', 'room:1', 'room:2']);
    });

    it('bytes quota: full refuses; only history every device acked makes room; copies are not refused', async () => {
      const s = await stores({ maxBytes: 3500 });
      const node = s.forNode('n1');
      const body = 'x'.repeat(1000);
      await node.arrive('bob', 'phone', true);
      await node.arrive('bob', 'laptop', true);
      for (let i = 0; i < 3; i++) await node.storeMessage(message('a', 'bob', body), { kind: 'send' });
      await expect(node.storeMessage(message('a', 'bob', body), { kind: 'push' })).rejects.toMatchObject({ code: 'rate_limited' });
      await node.ack('bob', 'phone', { upTo: 3 });
      await expect(node.storeMessage(message('a', 'bob', body), { kind: 'send' })).rejects.toMatchObject({ code: 'rate_limited' });
      await node.ack('bob', 'laptop', { upTo: 1 });
      await expect(node.storeMessage(message('a', 'bob', body), { kind: 'send' })).resolves.toMatchObject({ seq: 4 });
      expect(seqs(await node.unacked('bob', 'laptop'))).toEqual([2, 3, 4]);
      await expect(node.storeMessage(message('bob', 'zed', body), { kind: 'copy' })).resolves.toMatchObject({ seq: 5 });
    });

    it('devices: past maxDevices the least recently seen is forgotten (it comes back as new)', async () => {
      const s = await stores({ maxDevices: 2 });
      const node = s.forNode('n1');
      await node.storeMessage(message('a', 'bob'), { kind: 'send' });
      await node.arrive('bob', 'd1', true);
      await node.ack('bob', 'd1', { upTo: 1 });
      await new Promise((r) => setTimeout(r, 5));
      await node.arrive('bob', 'd2', false);
      await node.arrive('bob', 'd3', false); // d1, seen least recently, is forgotten
      expect(seqs((await node.arrive('bob', 'd1', false)).messages)).toEqual([1]);
    });
  });
}
