import type { Bus } from '@spear/bus';
import { ProtocolError, type JoinPayload } from '@spear/protocol';
import type { GroupHooks, HookCaller } from '../groups/group-hooks';
import { GroupPolicy, type NamespaceRules } from '../groups/group-policy';
import { ConcurrencyLimit } from './concurrency-limit';
import type { DeliveryStore } from './delivery-store';
import { groupsOf, type LocalHub } from './local-hub';
import type { Session } from './session';
import type { Transport } from './transport';

/** A connection as the hooks see it: its user, device, and what its connect hook attached. */
export function hookCallerOf(session: Session<unknown>): HookCaller {
  return { uid: session.uid, device: session.device, meta: session.meta };
}

/** A replay's whole budget, in slowReaderMs: 6 (60 s by default) is many pages for a client that reads. */
const REPLAY_BUDGET_IN_SLOW_READS = 6;
/** Joins with `since` that may wait for a replay slot, per slot; past it a join is refused with `rate_limited`. */
const REPLAYS_WAITING_PER_SLOT = 8;

/** Messages per read of a `join` with `since`. */
const REPLAY_PAGE = 100;

/** What one connection may hold and one node may do at once (the profile's `groups`). */
export interface GroupLimits {
  /** Groups one connection may `join` (its memberships count, but never refuse a membership). */
  maxGroupsPerConnection: number;
  /** `join`s with `since` replaying history at once on the node; the others wait. */
  replaysAtOnce: number;
  /**
   * How long a replay waits for a connection to take the page it was sent
   * before the next; a client that reads nothing for that long is closed,
   * so it cannot hold a replay slot (it rejoins with `since`). A whole
   * replay may take REPLAY_BUDGET_IN_SLOW_READS of it.
   */
  slowReaderMs: number;
}

export const DEFAULT_GROUP_LIMITS: GroupLimits = { maxGroupsPerConnection: 1000, replaysAtOnce: 16, slowReaderMs: 10_000 };

/**
 * A node's group memberships of connections: the transport's rooms, the
 * hub's counts, and the bus told when a group gets its first or loses its
 * last connection here.
 * Guarantees: a client `join` obeys the group's namespace policy
 * (`forbidden`); `join` with `since` hands out the retained messages after
 * it, then live ones (what was published in between is caught by a second
 * read; clients drop duplicates by id). Memberships: a connection is put in
 * its user's groups at connect, follows membership changes as they come
 * (`member` envelopes), and is reconciled with the stored memberships after
 * a bus gap (no connection stays in a group its user left).
 */
export class GroupRooms<C> {
  readonly policy: GroupPolicy;
  private readonly replays: ConcurrencyLimit;

  constructor(
    private readonly hub: LocalHub<C>,
    private readonly ports: { transport: Transport<C>; bus: Bus; store: DeliveryStore; hooks?: GroupHooks },
    namespaces: Readonly<Record<string, NamespaceRules>> = {},
    private readonly limits: GroupLimits = DEFAULT_GROUP_LIMITS,
  ) {
    this.replays = new ConcurrencyLimit(limits.replaysAtOnce, limits.replaysAtOnce * REPLAYS_WAITING_PER_SLOT);
    this.policy = new GroupPolicy(namespaces, (group, uid) => ports.store.isMember(group, uid), ports.hooks);
  }

  async join(session: Session<C>, { group, since }: JoinPayload): Promise<void> {
    await this.policy.mayJoin(hookCallerOf(session), group);
    if (!this.hub.isIn(session, group) && this.hub.groupCountOf(session) >= this.limits.maxGroupsPerConnection) {
      throw new ProtocolError('forbidden', `at most ${this.limits.maxGroupsPerConnection} groups per connection`);
    }
    if (since === undefined) return this.enter(session, group);
    // History first, then live; what was published in between comes with a second read. Page by page, each
    // one sent before the next is read, and only so many replays on the node at once: a join costs the node
    // a page or two of memory, not the history, however slowly its client reads.
    await this.replays.run(async () => {
      // One budget for the whole replay: a client reading just fast enough never to be slow still gives its slot back.
      const deadline = Date.now() + this.limits.slowReaderMs * REPLAY_BUDGET_IN_SLOW_READS;
      const last = await this.replay(session, group, since, deadline);
      await this.enter(session, group);
      await this.replay(session, group, last, deadline);
    });
  }

  /**
   * Emits the retained messages after `since`, a page at a time; resolves to
   * the last id emitted (or `since`). A connection that does not take a page
   * within slowReaderMs, or is still replaying at `deadline`, is cut (its
   * client rejoins with `since`, where it got to).
   */
  private async replay(session: Session<C>, group: string, since: string, deadline: number): Promise<string> {
    const { store, transport } = this.ports;
    let last = since;
    for (;;) {
      const page = await store.groupSince(group, last, REPLAY_PAGE);
      for (const m of page) transport.emit(session.conn, 'group', m);
      if (page.length === 0) return last;
      last = page[page.length - 1]!.id;
      if (page.length < REPLAY_PAGE || session.closed) return last;
      if (!(await transport.drained(session.conn, this.limits.slowReaderMs)) || Date.now() > deadline) {
        transport.cut(session.conn);
        return last;
      }
    }
  }

  async enter(session: Session<C>, group: string): Promise<void> {
    if (session.closed) return;
    const firstOfUser = !this.hub.userInGroup(session.uid, group);
    const { added, first } = this.hub.join(session, group);
    if (added) this.ports.transport.joinRoom(session.conn, group);
    // Presence is statistics: a store that fails it must not fail the join.
    if (added && firstOfUser) void this.ports.store.inGroup(group, session.uid, true).catch(() => undefined);
    if (first) await this.ports.bus.joinGroup(group);
  }

  async leave(session: Session<C>, group: string): Promise<void> {
    const { removed, last } = this.hub.leave(session, group);
    if (removed) {
      this.ports.transport.leaveRoom(session.conn, group);
      this.leftPresence(session, group);
    }
    if (last) await this.ports.bus.leaveGroup(group);
  }

  /** The uid's last connection in `group` on this node left it: its presence entry goes. */
  private leftPresence(session: Session<C>, group: string): void {
    if (!this.hub.userInGroup(session.uid, group)) void this.ports.store.inGroup(group, session.uid, false).catch(() => undefined);
  }

  /** At connect: the user's memberships, then the groups its connect hook named (the backend chose them: no policy asked); resolves to all of them, sorted. */
  async enterAtConnect(session: Session<C>, memberships: readonly string[], hookGroups: readonly string[]): Promise<string[]> {
    await this.enterMemberships(session, memberships);
    for (const group of hookGroups) await this.enter(session, group);
    return hookGroups.length === 0 ? [...memberships] : [...new Set([...memberships, ...hookGroups])].sort();
  }

  /** Puts a connection in `groups`, its user's memberships (at connect, or added since). */
  async enterMemberships(session: Session<C>, groups: readonly string[]): Promise<void> {
    if (groups.length === 0) return;
    const held = (session.memberGroups ??= new Set());
    for (const group of groups) held.add(group);
    await Promise.all(groups.map((group) => this.enter(session, group)));
  }

  /** A membership of the connection's user changed (a `member` envelope). */
  async membershipChanged(session: Session<C>, group: string, op: 'add' | 'remove'): Promise<void> {
    if (op === 'add') return this.enterMemberships(session, [group]);
    session.memberGroups?.delete(group);
    await this.leave(session, group);
  }

  /** After a bus gap: `groups` is what the store holds now; what the connection missed is applied. */
  async reconcile(session: Session<C>, groups: readonly string[]): Promise<void> {
    const now = new Set(groups);
    for (const group of [...(session.memberGroups ?? [])]) if (!now.has(group)) await this.membershipChanged(session, group, 'remove');
    await this.enterMemberships(session, groups); // entering a group it is in already changes nothing
  }

  /** A connection that left: out of every group (the transport dropped its rooms itself). */
  async leaveAll(session: Session<C>): Promise<void> {
    for (const group of groupsOf(session)) {
      const { last } = this.hub.leave(session, group);
      this.leftPresence(session, group);
      if (last) await this.ports.bus.leaveGroup(group).catch(() => undefined);
    }
  }
}
