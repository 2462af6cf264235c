import { describe, expect, it } from 'vitest';
import { AckSchedule, ReceiverAcks, type AckingReceiver } from './ack-schedule';

describe('AckSchedule', () => {
  it('makes a receiver due delayMs after its first pending message, not after later ones', () => {
    const s = new AckSchedule<string>(1000);
    s.pending('a', 0);
    s.pending('a', 900);
    expect(s.takeDue(999)).toEqual([]);
    expect(s.takeDue(1000)).toEqual(['a']);
    expect(s.takeDue(5000)).toEqual([]);
  });

  it('returns due receivers oldest first and keeps the rest', () => {
    const s = new AckSchedule<string>(100);
    s.pending('a', 0);
    s.pending('b', 10);
    s.pending('c', 50);
    expect(s.takeDue(115)).toEqual(['a', 'b']);
    expect(s.takeDue(149)).toEqual([]);
    expect(s.takeDue(150)).toEqual(['c']);
  });

  it('starts a new delay after an early ack', () => {
    const s = new AckSchedule<string>(100);
    s.pending('a', 0);
    s.acked('a');
    s.pending('a', 80);
    expect(s.takeDue(100)).toEqual([]);
    expect(s.takeDue(180)).toEqual(['a']);
  });

  it('with no delay, a pending receiver is due at once', () => {
    const s = new AckSchedule<string>(0);
    s.pending('a', 5);
    expect(s.takeDue(5)).toEqual(['a']);
  });

  it('takeAll empties the schedule, due or not', () => {
    const s = new AckSchedule<string>(1000);
    s.pending('a', 0);
    s.pending('b', 1);
    expect(s.takeAll()).toEqual(['a', 'b']);
    expect(s.takeDue(10_000)).toEqual([]);
  });
});

describe('ReceiverAcks', () => {
  function receiver(connected = true) {
    const sent: Array<{ upTo: number } | { ids: string[] }> = [];
    const r: AckingReceiver = { socket: { connected, emit: (_event, payload) => sent.push(payload) }, pendingAcks: [] };
    return { r, sent };
  }

  it('acks contiguous seqs with one upTo, and by ids in chunks of 1,000 once a seq was missing', () => {
    const acks = new ReceiverAcks<AckingReceiver>(60_000);
    const { r, sent } = receiver();
    acks.received(r, 'a', 1);
    acks.received(r, 'b', 2);
    acks.flushAll();
    expect(sent).toEqual([{ upTo: 2 }]);
    acks.received(r, 'c', 4);
    for (let i = 0; i < 1000; i++) acks.received(r, `x${i}`, 5 + i);
    acks.flushAll();
    expect(sent.slice(1).map((p) => ('ids' in p ? p.ids.length : -1))).toEqual([1000, 1]);
    acks.flushAll();
    expect(sent).toHaveLength(3);
  });

  it('sends nothing for a receiver that is no longer connected', () => {
    const acks = new ReceiverAcks<AckingReceiver>(60_000);
    const { r, sent } = receiver(false);
    acks.received(r, 'a', 1);
    acks.flushAll();
    expect(sent).toEqual([]);
  });
});
