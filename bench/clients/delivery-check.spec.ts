import { describe, expect, it } from 'vitest';
import { DeliveryCheck, type SequenceState } from './delivery-check';

const receiver = (): SequenceState => ({ lastSeq: 0 });
const msg = (seq: number, to = 'b') => ({ id: `id-${seq}`, to, seq });

describe('DeliveryCheck', () => {
  it('counts an acked send never received as lost, and one received as not', () => {
    const check = new DeliveryCheck();
    const b = receiver();
    expect(check.acked('id-1')).toBe(true);
    expect(check.acked('id-2')).toBe(true);
    expect(check.received(b, 'b', msg(1))).toBe('first');
    expect(check.acks).toEqual({ acked: 2, lost: 1 });
  });

  it('takes a delivery that overtook its ack as received', () => {
    const check = new DeliveryCheck();
    check.received(receiver(), 'b', msg(1));
    expect(check.acked('id-1')).toBe(false);
    expect(check.acks).toEqual({ acked: 1, lost: 0 });
  });

  it('tells a duplicate, which it drops, from a late message, which it counts as out of order', () => {
    const check = new DeliveryCheck();
    const b = receiver();
    for (const seq of [1, 2, 3]) check.acked(`id-${seq}`);
    check.received(b, 'b', msg(1));
    check.received(b, 'b', msg(3));
    expect(check.received(b, 'b', msg(3))).toBe('duplicate');
    expect(check.received(b, 'b', msg(2))).toBe('late');
    expect(check.received(b, 'b', msg(2))).toBe('duplicate');
    expect(check.counters).toEqual({ duplicates: 2, misrouted: 0, orderViolations: 1 });
    expect(check.acks.lost).toBe(0);
  });

  it('keeps a refused send (a number never sent on) from making the next one look out of order', () => {
    const check = new DeliveryCheck();
    const b = receiver();
    check.acked('id-2');
    expect(check.received(b, 'b', msg(2))).toBe('first');
    expect(check.counters.orderViolations).toBe(0);
  });

  it("counts a message for another user as misrouted and received, and leaves the receiver's numbers alone", () => {
    const check = new DeliveryCheck();
    const b = receiver();
    check.acked('id-1');
    check.acked('id-2');
    check.received(b, 'b', msg(2));
    check.acked('c-1');
    expect(check.received(b, 'b', { id: 'c-1', to: 'c', seq: 1 })).toBe('misrouted');
    expect(check.received(b, 'b', { id: 'c-9', to: 'c', seq: 9 })).toBe('misrouted');
    expect(check.received(b, 'b', msg(1))).toBe('late');
    expect(check.counters).toEqual({ duplicates: 0, misrouted: 2, orderViolations: 1 });
    expect(b.lastSeq).toBe(2);
    expect(check.acks).toEqual({ acked: 3, lost: 0 });
  });
});
