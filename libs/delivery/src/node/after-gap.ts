import type { MsgEvent } from '@spear/protocol';
import type { DeliveryStore } from './delivery-store';
import type { GroupRooms } from './group-rooms';
import { fillFromLog } from './seq-holes';
import type { Session } from './session';

/**
 * After a bus gap (envelopes may have been lost while the bus reconnected):
 * every local connection gets what its device has not acked and it was not
 * handed yet (seq-holes.ts) and is reconciled with its user's memberships
 * as stored now. Connections still arriving are skipped: their arrival reads
 * both. One round trip per connection. Resolves to how many were caught up.
 */
export async function catchUpAfterGap<C>(
  sessions: Iterable<Session<C>>,
  store: DeliveryStore,
  rooms: GroupRooms<C>,
  emitMsg: (session: Session<C>, message: MsgEvent) => void,
): Promise<number> {
  let caughtUp = 0;
  for (const session of [...sessions]) {
    const [unacked, groups] = await Promise.all([store.unacked(session.uid, session.device), store.groupsOf(session.uid)]);
    if (session.buffered || session.closed) continue;
    fillFromLog(session, unacked, (message) => emitMsg(session, message));
    await rooms.reconcile(session, groups);
    caughtUp++;
  }
  return caughtUp;
}
