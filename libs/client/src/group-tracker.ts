import { compareIds } from './ids';

/** A group to rejoin, from just after the last message seen in it (when one was). */
export interface Rejoin {
  group: string;
  since?: string;
}

/**
 * The groups the app joined and the newest message id seen in each, so a new
 * connection can rejoin with `since` and get what was published while the
 * client was away.
 */
export class GroupTracker {
  private readonly groups = new Map<string, string | undefined>();

  /** The app joined `group` (from `since`, when it gave one). Keeps a newer id already seen. */
  joined(group: string, since?: string): void {
    const seen = this.groups.get(group);
    this.groups.set(group, newest(seen, since));
  }

  /** Drops the mark of `group` (its history no longer reaches back to it). */
  restart(group: string): void {
    if (this.groups.has(group)) this.groups.set(group, undefined);
  }

  left(group: string): void {
    this.groups.delete(group);
  }

  has(group: string): boolean {
    return this.groups.has(group);
  }

  /** A message of `group` was received (duplicates included: they cannot move the mark back). */
  seen(group: string, id: string): void {
    if (this.groups.has(group)) this.groups.set(group, newest(this.groups.get(group), id));
  }

  /** What to send as `join` on a new connection, one entry per group. */
  rejoins(): Rejoin[] {
    return [...this.groups].map(([group, since]) => (since === undefined ? { group } : { group, since }));
  }

  /** The `join` for one group now (undefined when the app is not in it). */
  rejoin(group: string): Rejoin | undefined {
    if (!this.groups.has(group)) return undefined;
    const since = this.groups.get(group);
    return since === undefined ? { group } : { group, since };
  }
}

function newest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareIds(a, b) >= 0 ? a : b;
}
