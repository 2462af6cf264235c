import type { Bus } from '@spear/bus';
import type { JoinPayload } from '@spear/protocol';
import type { DeliveryStore } from './delivery-store';
import { groupsOf, type LocalHub } from './local-hub';
import type { Session } from './session';
import type { Transport } from './transport';

/**
 * A node's group memberships of connections: the transport's rooms, the
 * hub's counts, and the bus told when a group gets its first or loses its
 * last connection here.
 * Guarantee: `join` with `since` hands out the retained messages after it,
 * then live ones (what was published in between is caught by a second read;
 * clients drop duplicates by id).
 */
export class GroupRooms<C> {
  constructor(
    private readonly hub: LocalHub<C>,
    private readonly ports: { transport: Transport<C>; bus: Bus; store: DeliveryStore },
  ) {}

  async join(session: Session<C>, { group, since }: JoinPayload): Promise<void> {
    if (since === undefined) return this.enter(session, group);
    const { store, transport } = this.ports;
    const first = await store.groupSince(group, since);
    for (const m of first) transport.emit(session.conn, 'group', m);
    await this.enter(session, group);
    const last = first.length ? first[first.length - 1]!.id : since;
    for (const m of await store.groupSince(group, last)) transport.emit(session.conn, 'group', m);
  }

  async enter(session: Session<C>, group: string): Promise<void> {
    if (session.closed) return;
    const { added, first } = this.hub.join(session, group);
    if (added) this.ports.transport.joinRoom(session.conn, group);
    if (first) await this.ports.bus.joinGroup(group);
  }

  async leave(session: Session<C>, group: string): Promise<void> {
    const { removed, last } = this.hub.leave(session, group);
    if (removed) this.ports.transport.leaveRoom(session.conn, group);
    if (last) await this.ports.bus.leaveGroup(group);
  }

  /** A connection that left: out of every group (the transport dropped its rooms itself). */
  async leaveAll(session: Session<C>): Promise<void> {
    for (const group of groupsOf(session)) if (this.hub.leave(session, group).last) await this.ports.bus.leaveGroup(group).catch(() => undefined);
  }
}
