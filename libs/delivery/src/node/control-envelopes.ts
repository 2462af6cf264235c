import type { CoreLogger } from './cluster';
import type { GroupRooms } from './group-rooms';
import type { Session } from './session';
import type { Transport } from './transport';

/**
 * What a node does with the control envelopes of one user's connections
 * (LocalHub.forUser callbacks: no closure per envelope and connection).
 */

/** Kick and revocation (PROTOCOL.md v1.1): `kicked {reason}`, then closed (the transport flushes the event first); with `token`, only the connections its tickets opened. */
export function kickSession<C>(session: Session<C>, p: { transport: Transport<C>; reason: string; token?: string }): void {
  if (p.token !== undefined && session.tokenRef !== p.token) return;
  p.transport.emit(session.conn, 'kicked', { reason: p.reason });
  p.transport.close(session.conn);
}

/** A membership of the connection's user changed: it enters or leaves the group (within the envelope's travel, well under 1 s). */
export function followMembership<C>(session: Session<C>, p: { rooms: GroupRooms<C>; logger: CoreLogger; group: string; op: 'add' | 'remove' }): void {
  p.rooms.membershipChanged(session, p.group, p.op).catch((e: unknown) => p.logger.warn({ err: String(e) }, 'membership change not applied'));
}
