import type { MsgEvent } from '@spear/protocol';
import type { DeviceAck } from '../log/user-log';
import type { DeliveryStore } from './delivery-store';
import type { Session } from './session';

/**
 * What one connection may ack with `ack {upTo}`: never more than the highest
 * seq it was sent (its replay, live messages, the seq of its own sender
 * copy), so a device never acks a message it has not seen, nor a seq not yet
 * given; and only when that moves its mark (a repeat costs no store call).
 */

/** `message` is about to be emitted to `session` (or `seq` given to it in a send's ack). */
export function noteSeq(session: Session<unknown>, seq: MsgEvent['seq']): void {
  if (seq !== undefined && seq > session.maxSeq) session.maxSeq = seq;
}

/** The cursor to store for the connection's `upTo`, or undefined when it moves nothing. */
export function upToMark(session: Session<unknown>, upTo: number): number | undefined {
  const mark = Math.min(upTo, session.maxSeq);
  if (mark <= session.ackedUpTo) return undefined;
  session.ackedUpTo = mark;
  return mark;
}

/** A connection's `ack`: ids as given; an `upTo` clamped to what it was sent, stored only when it moves the mark. */
export async function applyAck(store: Pick<DeliveryStore, 'ack'>, session: Session<unknown>, ack: DeviceAck): Promise<void> {
  if (ack.ids) return store.ack(session.uid, session.device, ack);
  const mark = upToMark(session, ack.upTo);
  if (mark !== undefined) await store.ack(session.uid, session.device, { upTo: mark });
}
