import type { MsgEvent } from '@spear/protocol';
import type { Unacked } from '../log/user-log';
import type { Session } from './session';

/**
 * Which seqs of its user's log one connection has been handed, and the holes
 * among them.
 *
 * Why: the bus is at-most-once, so a live message can be lost on its way to
 * this node (a Kafka publish that timed out, a node killed after storing and
 * before forwarding) while later ones arrive. Seqs have no gaps (PROTOCOL.md
 * v1.1), so a seq above the next one expected shows a hole: a message still
 * in flight (messages from different nodes may overtake each other), or one
 * that is lost. A hole that stays open is filled from the log (HoleRepair),
 * while the connection stays up, instead of at its device's next connection.
 * And `ack {upTo}` is clamped to the floor, so a device never acks a seq this
 * connection was not handed (which the SDK could otherwise do on a new
 * connection whose first live message overtook a lost one).
 *
 * Guarantee: every seq ≤ `seqFloor` was handed to the connection or acked by
 * its device before it was read (or dropped by retention); `seqsAbove` holds
 * those handed above the floor + 1 (sorted). Cheap on the common path: one
 * comparison per message; the array exists only while there is a hole.
 */

/** At most this many seqs are kept above a hole; past it the hole is due for repair at once. */
export const MAX_SEQS_ABOVE = 1024;

/** `seq` was handed to `session` (a live or replayed message, or the sender copy's seq in a send's ack). Returns true when it opened a hole. */
export function noteSeq(session: Session<unknown>, seq: MsgEvent['seq'], now?: number): boolean {
  if (seq === undefined || seq <= session.seqFloor) return false;
  if (seq === session.seqFloor + 1) {
    session.seqFloor = seq;
    if (session.seqsAbove) absorb(session, now);
    return false;
  }
  const above = (session.seqsAbove ??= []);
  let i = above.length;
  while (i > 0 && above[i - 1]! > seq) i--;
  if (above[i - 1] === seq) return false;
  if (above.length >= MAX_SEQS_ABOVE) {
    session.holeSince = 0;
    return false;
  }
  above.splice(i, 0, seq);
  if (session.holeSince !== undefined) return false;
  session.holeSince = now ?? Date.now();
  return true;
}

/** Was `seq` handed to `session` already (or acked by its device before the connection read its log)? */
export function handed(session: Session<unknown>, seq: number): boolean {
  return seq <= session.seqFloor || (session.seqsAbove?.includes(seq) ?? false);
}

/**
 * Hands `session` what it lacks of `unacked` (read from the log after the
 * messages it may be missing were stored), then raises the floor to the
 * log's last seq at that read: below it, what was not handed is acked.
 * Returns how many messages were handed.
 */
export function fillFromLog(session: Session<unknown>, unacked: Unacked, emit: (message: MsgEvent) => void, now?: number): number {
  let n = 0;
  for (const message of unacked.messages) {
    if (message.seq !== undefined && handed(session, message.seq)) continue;
    emit(message);
    n++;
  }
  raiseFloor(session, unacked.last, now);
  return n;
}

/** Everything up to `last` is accounted for (handed, or acked by the device): the floor moves there. */
export function raiseFloor(session: Session<unknown>, last: number, now?: number): void {
  if (last > session.seqFloor) session.seqFloor = last;
  if (session.seqsAbove) absorb(session, now);
}

/** Folds the seqs above into the floor where they now join it; the hole (if one is left) counts from now. */
function absorb(session: Session<unknown>, now: number | undefined): void {
  const above = session.seqsAbove!;
  let i = 0;
  while (i < above.length && above[i]! <= session.seqFloor + 1) session.seqFloor = Math.max(session.seqFloor, above[i++]!);
  if (i === 0) return;
  above.splice(0, i);
  if (above.length === 0) {
    session.seqsAbove = undefined;
    session.holeSince = undefined;
  } else session.holeSince = now ?? Date.now();
}
