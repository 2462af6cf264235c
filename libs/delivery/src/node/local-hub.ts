import type { Session } from './session';

/**
 * The sessions of this node by uid, and how many local sessions each group
 * has (the bus is told when a group gets its first or loses its last).
 * Pure bookkeeping: no I/O, no transport.
 */
export class LocalHub<C> {
  /**
   * A uid's one session, or a Set once it has several: most users have one,
   * and a Set per user would cost ~200 bytes per connection.
   */
  private readonly users = new Map<string, Session<C> | Set<Session<C>>>();
  private readonly groupMembers = new Map<string, number>();
  /** Sessions on this node. */
  size = 0;

  get userCount(): number {
    return this.users.size;
  }

  /** Groups with at least one session on this node. */
  get groupCount(): number {
    return this.groupMembers.size;
  }

  uids(): IterableIterator<string> {
    return this.users.keys();
  }

  /** Every session of this node. */
  *sessions(): Generator<Session<C>> {
    for (const held of this.users.values()) {
      if (held instanceof Set) yield* held;
      else yield held;
    }
  }

  /** Calls `fn(session, arg)` for each session of `uid` here (no closure per call on the hot path); returns how many. */
  forUser<A>(uid: string, fn: (session: Session<C>, arg: A) => void, arg: A): number {
    const held = this.users.get(uid);
    if (held === undefined) return 0;
    if (!(held instanceof Set)) {
      fn(held, arg);
      return 1;
    }
    for (const session of held) fn(session, arg);
    return held.size;
  }

  /** Adds a session; true when it is its uid's first on this node. */
  add(session: Session<C>): boolean {
    const held = this.users.get(session.uid);
    if (held === undefined) {
      this.users.set(session.uid, session);
      this.size++;
      return true;
    }
    if (held === session || (held instanceof Set && held.has(session))) return false;
    if (held instanceof Set) held.add(session);
    else this.users.set(session.uid, new Set([held, session]));
    this.size++;
    return false;
  }

  /** Removes a session; true when it was its uid's last on this node. */
  remove(session: Session<C>): boolean {
    const held = this.users.get(session.uid);
    if (held instanceof Set) {
      if (!held.delete(session)) return false;
      this.size--;
      // Back to the single-session form once one is left (the Set of held.size 0 never stays).
      if (held.size === 1) this.users.set(session.uid, held.values().next().value!);
      return false;
    }
    if (held !== session) return false;
    this.size--;
    this.users.delete(session.uid);
    return true;
  }

  /** Does any session of `uid` here sit in `group`? */
  userInGroup(uid: string, group: string): boolean {
    const held = this.users.get(uid);
    if (held === undefined) return false;
    if (!(held instanceof Set)) return this.isIn(held, group);
    for (const session of held) if (this.isIn(session, group)) return true;
    return false;
  }

  /** Every [group, uid] with a session here (a uid with several sessions in a group may come more than once). */
  *groupPairs(): Generator<readonly [string, string]> {
    for (const session of this.sessions()) {
      const held = session.groups;
      if (held === undefined) continue;
      if (typeof held === 'string') yield [held, session.uid];
      else for (const group of held) yield [group, session.uid];
    }
  }

  /** Is the session in `group`? */
  isIn(session: Session<C>, group: string): boolean {
    const held = session.groups;
    return held === group || (held instanceof Set && held.has(group));
  }

  /** How many groups the session is in. */
  groupCountOf(session: Session<C>): number {
    const held = session.groups;
    return held === undefined ? 0 : typeof held === 'string' ? 1 : held.size;
  }

  /** Puts a session in a group; `added`: it was not in it, `first`: the group's first session here. */
  join(session: Session<C>, group: string): { added: boolean; first: boolean } {
    const held = session.groups;
    if (held === undefined) session.groups = group;
    else if (held === group || (typeof held !== 'string' && held.has(group))) return { added: false, first: false };
    else if (typeof held === 'string') session.groups = new Set([held, group]);
    else held.add(group);
    const n = (this.groupMembers.get(group) ?? 0) + 1;
    this.groupMembers.set(group, n);
    return { added: true, first: n === 1 };
  }

  /** Takes a session out of a group; `removed`: it was in it, `last`: the group has no session here now. */
  leave(session: Session<C>, group: string): { removed: boolean; last: boolean } {
    const held = session.groups;
    if (held === group) session.groups = undefined;
    else if (held === undefined || typeof held === 'string' || !held.delete(group)) return { removed: false, last: false };
    else if (held.size === 1) session.groups = held.values().next().value!;
    const n = (this.groupMembers.get(group) ?? 1) - 1;
    if (n > 0) {
      this.groupMembers.set(group, n);
      return { removed: true, last: false };
    }
    this.groupMembers.delete(group);
    return { removed: true, last: true };
  }
}

/** The groups a session is in, as a list (a copy: safe to leave them while iterating). */
export function groupsOf<C>(session: Session<C>): string[] {
  const held = session.groups;
  if (held === undefined) return [];
  return typeof held === 'string' ? [held] : [...held];
}
