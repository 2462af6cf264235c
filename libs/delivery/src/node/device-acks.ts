import type { MsgEvent } from '@spear/protocol';
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
