import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MsgEvent } from '@spear/protocol';
import type { AckRequest } from './ack-batcher';
import { Delivery } from './delivery';
import { EventHub } from './event-hub';
import type { SpearEvents } from './events';
import { GroupTracker } from './group-tracker';

function setup(ackMode: 'auto' | 'manual', { ackDelayMs = 0, window = 100 } = {}) {
  const acks: AckRequest[] = [];
  const groups = new GroupTracker();
  const holder: { d?: Delivery } = {};
  const hub = new EventHub<SpearEvents>({
    holdable: ['msg', 'group', 'broadcast'],
    holdLimit: 100,
    onDispatch: (k, p, s) => holder.d!.settled(k, p, s),
    onDropHeld: (k, p) => holder.d!.droppedHeld(k, p),
  });
  const delivery = (holder.d = new Delivery(hub, groups, ackMode, window, (ack) => acks.push(ack), ackDelayMs));
  return { hub, delivery, acks, groups };
}

/** A connection's Session, as Delivery sees it (any object identifies one). */
const conn1 = {};
const msg = (id: string, seq?: number): MsgEvent => ({ id, from: 'a', to: 'b', body: id, ts: 1, ...(seq === undefined ? {} : { seq }) });
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  vi.advanceTimersByTime(0);
};

describe('Delivery', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("auto, messages without seq (v1 server): acks by id after the handler's promise resolves, in one batch", async () => {
    const { hub, delivery, acks } = setup('auto');
    const resolvers: Array<() => void> = [];
    hub.on('msg', () => new Promise<void>((r) => resolvers.push(r)));
    for (const id of ['1', '2', '3']) delivery.receive('msg', msg(id), conn1);
    await flush();
    expect(acks).toEqual([]);
    resolvers.forEach((r) => r());
    await flush();
    expect(acks).toEqual([{ ids: ['1', '2', '3'] }]);
  });

  it('hands a duplicate over once; re-acks it only once its handler finished', async () => {
    const { hub, delivery, acks } = setup('auto');
    const seen: string[] = [];
    let release!: () => void;
    hub.on('msg', (m) => {
      seen.push(m.id);
      return new Promise<void>((r) => (release = r));
    });
    delivery.receive('msg', msg('1'), conn1);
    delivery.receive('msg', msg('1'), conn1); // still being handled: no early ack
    await flush();
    expect(acks).toEqual([]);
    release();
    await flush();
    delivery.receive('msg', msg('1'), conn1); // redelivered: the ack was lost, send it again
    await flush();
    expect(seen).toEqual(['1']);
    expect(acks).toEqual([{ ids: ['1'] }, { ids: ['1'] }]);
    expect(delivery.stats).toEqual({ delivered: 1, duplicates: 2 });
  });

  it('does not ack a message whose handler failed, and hands its redelivery over again', async () => {
    const { hub, delivery, acks } = setup('auto');
    const errors: string[] = [];
    hub.on('error', (e) => void errors.push(e.code));
    let fail = true;
    const seen: string[] = [];
    hub.on('msg', (m) => {
      seen.push(m.id);
      if (fail) throw new Error('db down');
    });
    delivery.receive('msg', msg('1'), conn1);
    await flush();
    fail = false;
    delivery.receive('msg', msg('1'), conn1);
    await flush();
    expect(seen).toEqual(['1', '1']);
    expect(errors).toEqual(['handler_error']);
    expect(acks).toEqual([{ ids: ['1'] }]);
  });

  it('manual: never acks by itself', async () => {
    const { hub, delivery, acks } = setup('manual');
    hub.on('msg', () => undefined);
    delivery.receive('msg', msg('1'), conn1);
    delivery.receive('msg', msg('1'), conn1);
    await flush();
    expect(acks).toEqual([]);
  });

  it('passes group events only for joined groups, dropping duplicates and tracking the last id', async () => {
    const { hub, delivery, groups } = setup('auto');
    const got: string[] = [];
    hub.on('group', (m) => void got.push(m.id));
    groups.joined('g');
    for (const [id, group] of [['1', 'g'], ['2', 'other'], ['3', 'g'], ['1', 'g']]) delivery.receive('group', { id: id!, group: group!, from: 'x', body: 1, ts: 1 } as never, conn1);
    await flush();
    expect(got).toEqual(['1', '3']);
    expect(groups.rejoins()).toEqual([{ group: 'g', since: '3' }]);
  });
});
