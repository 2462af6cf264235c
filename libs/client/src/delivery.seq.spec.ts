import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MsgEvent } from '@spear/protocol';
import type { AckRequest } from './ack-batcher';
import { Delivery } from './delivery';
import { EventHub } from './event-hub';
import type { SpearEvents } from './events';
import { GroupTracker } from './group-tracker';

/** PROTOCOL.md v1.1: msgs with seq, cumulative acks per connection, seq dedupe, sender copies. */
function setup(ackMode: 'auto' | 'manual', { ackDelayMs = 1000, window = 100 } = {}) {
  const acks: AckRequest[] = [];
  const holder: { d?: Delivery } = {};
  const hub = new EventHub<SpearEvents>({
    holdable: ['msg'],
    holdLimit: 100,
    onDispatch: (k, p, s) => holder.d!.settled(k, p, s),
    onDropHeld: (k, p) => holder.d!.droppedHeld(k, p),
  });
  const delivery = (holder.d = new Delivery(hub, new GroupTracker(), ackMode, window, (ack) => acks.push(ack), ackDelayMs));
  const seen: string[] = [];
  return { hub, delivery, acks, seen };
}

/** Message `n` of the log: id and seq both n (ids grow with seqs, as snowflakes do). */
const m = (n: number, id = String(1000 + n)): MsgEvent => ({ id, from: 'a', to: 'b', body: n, ts: 1, seq: n });
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};
/** Lets handlers finish, then runs the ack delay out. */
const flush = async (ms = 1000) => {
  await settle();
  vi.advanceTimersByTime(ms);
};

describe('Delivery with seq', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('acks a connection\'s handled seqs with one {upTo}, after ackDelayMs', async () => {
    const { hub, delivery, acks } = setup('auto');
    const conn = {};
    hub.on('msg', () => undefined);
    for (const n of [4, 5, 6]) delivery.receive('msg', m(n), conn); // a replay starting at the first unacked seq
    await settle();
    vi.advanceTimersByTime(999);
    expect(acks).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(acks).toEqual([{ upTo: 6 }]);
  });

  it('a failed handler leaves a hole: upTo stops below it, the handled ones above go by id', async () => {
    const { hub, delivery, acks } = setup('auto');
    const conn = {};
    hub.on('msg', (x) => {
      if (x.seq === 3) throw new Error('db down');
    });
    for (const n of [1, 2, 3, 4, 5]) delivery.receive('msg', m(n), conn);
    await flush();
    expect(acks).toEqual([{ upTo: 2 }, { ids: ['1004', '1005'] }]);
    // Later messages stay above the hole on this connection.
    delivery.receive('msg', m(6), conn);
    await flush();
    expect(acks.slice(2)).toEqual([{ ids: ['1006'] }]);
  });

  it('a seq arriving below the start a connection took (a live one overtook it, the server held the upTo back and repaired the hole) reaches the app and sends the upTo again', async () => {
    const { hub, delivery, acks } = setup('auto');
    const conn = {};
    const seen: number[] = [];
    hub.on('msg', (x) => void seen.push(x.seq!));
    delivery.receive('msg', m(7), conn); // the first this connection got: it takes 6 for acked
    await flush();
    expect(acks).toEqual([{ upTo: 7 }]);
    delivery.confirmed(7); // the server said ok, having stored only what it handed (below 6)
    // 6 was lost on the bus; the server's hole repair hands it over now: not a duplicate, though under the confirmed upTo.
    delivery.receive('msg', m(6), conn);
    await flush();
    expect(seen).toEqual([7, 6]);
    expect(acks.slice(1)).toEqual([{ upTo: 7 }]);
    // Its redelivery at a later connection is a duplicate again.
    delivery.receive('msg', m(6), {});
    await flush();
    expect(seen).toEqual([7, 6]);
  });

  it('a slow handler below holds the upTo back until it is done; out-of-order arrivals wait for each other', async () => {
    const { hub, delivery, acks } = setup('auto');
    const conn = {};
    let release!: () => void;
    hub.on('msg', (x) => (x.seq === 8 ? new Promise<void>((r) => (release = r)) : undefined));
    delivery.receive('msg', m(9), conn); // live, ahead of 8
    delivery.receive('msg', m(8), conn);
    delivery.receive('msg', m(10), conn);
    await flush();
    expect(acks).toEqual([{ ids: ['1009', '1010'] }]);
    release();
    await flush();
    expect(acks.slice(1)).toEqual([{ upTo: 10 }]);
  });

  it('tracks each connection apart: a new connection starts its own run', async () => {
    const { hub, delivery, acks } = setup('auto');
    const old = {};
    const fresh = {};
    let failures = 0;
    hub.on('msg', (x) => {
      if (x.seq === 2 && failures++ === 0) throw new Error('fails once');
    });
    for (const n of [1, 2, 3]) delivery.receive('msg', m(n), old);
    await flush();
    expect(acks).toEqual([{ upTo: 1 }, { ids: ['1003'] }]);
    // The next connection replays 2 (3 was acked by id, so the replay skips it), then 4 live: 3 is a hole there.
    delivery.receive('msg', m(2), fresh);
    delivery.receive('msg', m(4), fresh);
    await flush();
    expect(acks.slice(2)).toEqual([{ upTo: 2 }, { ids: ['1004'] }]);
  });

  it('a duplicate arriving on the new connection while its handler runs is acked there once the handler is done', async () => {
    const { hub, delivery, acks, seen } = setup('auto');
    const old = {};
    const fresh = {};
    let release!: () => void;
    hub.on('msg', (x) => {
      seen.push(x.id);
      if (x.seq === 5) return new Promise<void>((r) => (release = r));
    });
    delivery.receive('msg', m(5), old);
    delivery.receive('msg', m(5), fresh); // the new connection's replay
    delivery.receive('msg', m(6), fresh);
    await flush();
    expect(acks).toEqual([{ ids: ['1006'] }]);
    release();
    await flush();
    expect(acks.slice(1)).toEqual([{ upTo: 6 }]);
    expect(seen).toEqual(['1005', '1006']);
    expect(delivery.stats).toEqual({ delivered: 2, duplicates: 1 });
  });

  it('drops a msg at or below the confirmed upTo even when its id left the dedupe window', async () => {
    const { hub, delivery, acks, seen } = setup('auto', { window: 2 });
    const conn = {};
    hub.on('msg', (x) => void seen.push(x.id));
    for (const n of [1, 2, 3, 4]) delivery.receive('msg', m(n), conn);
    await flush();
    expect(acks).toEqual([{ upTo: 4 }]);
    delivery.confirmed(4);
    // Delivered again (say, by a bus-gap replay on another connection): 1 and 2 are out of the id
    // window (size 2), their seqs say they are duplicates; 3 and 4 are still in the window.
    const again = {};
    for (const n of [1, 2, 3, 4, 5]) delivery.receive('msg', m(n), again);
    await flush();
    expect(seen).toEqual(['1001', '1002', '1003', '1004', '1005']);
    expect(delivery.stats.duplicates).toBe(4);
    expect(acks.slice(1)).toEqual([{ upTo: 5 }]);
  });

  it('a restarted log (seq 1 again, with a newer id) is not dropped, and its upTo is sent although lower', async () => {
    const { hub, delivery, acks, seen } = setup('auto');
    hub.on('msg', (x) => void seen.push(x.id));
    const conn = {};
    for (const n of [1, 2, 3]) delivery.receive('msg', m(n), conn);
    await flush();
    delivery.confirmed(3);
    const later = {};
    delivery.receive('msg', m(1, '5000'), later);
    await flush();
    expect(seen).toEqual(['1001', '1002', '1003', '5000']);
    expect(acks).toEqual([{ upTo: 3 }, { upTo: 1 }]);
  });

  it('ackFailed: the next flush sends the upTo again', async () => {
    const { hub, delivery, acks } = setup('auto');
    hub.on('msg', () => undefined);
    const conn = {};
    delivery.receive('msg', m(1), conn);
    await flush();
    delivery.ackFailed();
    delivery.receive('msg', m(1), conn); // redelivered: already handled
    await flush();
    expect(acks).toEqual([{ upTo: 1 }, { upTo: 1 }]);
  });

  it('sent(): a sender copy is acked for this device, fills its seq on the sending connection, and its redelivery is a duplicate', async () => {
    const { hub, delivery, acks, seen } = setup('auto');
    hub.on('msg', (x) => void seen.push(x.id));
    const conn = {};
    delivery.receive('msg', m(1), conn);
    delivery.sent('1002', 2, conn); // this connection's own send: the server does not send it the copy
    delivery.receive('msg', m(3), conn);
    await flush();
    expect(acks).toEqual([{ upTo: 3 }]);
    delivery.receive('msg', m(2), {}); // the copy replayed on a later connection
    await settle();
    expect(seen).toEqual(['1001', '1003']);
  });

  it('manual: no acks, not even for sender copies; ackUpTo confirmations still drop redeliveries', async () => {
    const { hub, delivery, acks, seen } = setup('manual', { window: 1 });
    hub.on('msg', (x) => void seen.push(x.id));
    const conn = {};
    for (const n of [1, 2]) delivery.receive('msg', m(n), conn);
    delivery.sent('1003', 3, conn);
    await flush();
    expect(acks).toEqual([]);
    delivery.confirmed(2); // the app's ackUpTo(2)
    delivery.receive('msg', m(1), {});
    await settle();
    expect(seen).toEqual(['1001', '1002']);
  });

  it('a msg dropped from the hold queue is a hole, and is handed over when redelivered', async () => {
    const { hub, delivery, acks, seen } = setup('auto');
    const conn = {};
    // No handler yet: held, and the hold limit (100) drops the oldest.
    for (let n = 1; n <= 101; n++) delivery.receive('msg', m(n), conn);
    hub.on('msg', (x) => void seen.push(x.id));
    await flush();
    expect(seen).toHaveLength(100);
    expect(acks).toEqual([{ ids: seen }]);
    delivery.receive('msg', m(1), {});
    await settle();
    expect(seen.at(-1)).toBe('1001');
  });
});
