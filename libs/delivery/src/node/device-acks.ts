import type { DeviceAck } from '../log/user-log';
import type { DeliveryStore } from './delivery-store';
import type { Session } from './session';

/**
 * What one connection may ack with `ack {upTo}`: never more than its seq
 * floor (seq-holes.ts: every seq up to it was handed to this connection, as
 * replay, live message or its own sender copy's seq, or acked before), so a
 * device never acks a message it has not seen, nor one lost below a later
 * one, nor a seq not yet given; and only when that moves its mark (a repeat
 * costs no store call).
 */

/** The cursor to store for the connection's `upTo`, or undefined when it moves nothing. */
export function upToMark(session: Session<unknown>, upTo: number): number | undefined {
  const mark = Math.min(upTo, session.seqFloor);
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
