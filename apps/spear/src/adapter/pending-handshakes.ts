/** The profile's spear.handshake. */
export interface PendingLimits {
  /** How long a connection may stay without a valid ticket. */
  timeoutMs: number;
  /** Pending connections on this node at once. */
  maxPending: number;
  /** Pending connections of one client address at once. */
  maxPendingPerIp: number;
}

/** Which cap a new connection would break: the node's or its address's. */
export type PendingRefusal = 'pending_node' | 'pending_ip';

/**
 * The connections of one node that have not shown a valid ticket yet, in
 * arrival order. Owns no socket: the caller asks before accepting a
 * connection, adds it, removes it once its ticket is spent or it closed, and
 * closes what `takeExpired` hands back.
 *
 * Guarantee: while callers ask `refusal` before every `add`, at most
 * `maxPending` connections are pending on the node and at most
 * `maxPendingPerIp` per address; `takeExpired(now)` returns every connection
 * pending for `timeoutMs` or longer at `now` (each once), oldest first.
 */
export class PendingHandshakes<C> {
  /** Map order is insertion order, and every entry waits the same timeout: the oldest is always first. */
  private readonly since = new Map<C, { ip: string; at: number }>();
  private readonly perIp = new Map<string, number>();

  constructor(private readonly limits: PendingLimits) {}

  /** Connections pending now. */
  get size(): number {
    return this.since.size;
  }

  /** Connections of `ip` pending now. */
  countOf(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }

  /** Undefined when one more connection from `ip` fits; otherwise the cap it would break. */
  refusal(ip: string): PendingRefusal | undefined {
    if (this.since.size >= this.limits.maxPending) return 'pending_node';
    if (this.countOf(ip) >= this.limits.maxPendingPerIp) return 'pending_ip';
    return undefined;
  }

  /** `conn` from `ip` is open and has no valid ticket yet (`now`: ms, the clock `takeExpired` gets). */
  add(conn: C, ip: string, now: number): void {
    if (this.since.has(conn)) return;
    this.since.set(conn, { ip, at: now });
    this.perIp.set(ip, this.countOf(ip) + 1);
  }

  /** `conn` spent a valid ticket or closed: no longer pending. False when it was not (any more). */
  remove(conn: C): boolean {
    const entry = this.since.get(conn);
    if (!entry) return false;
    this.since.delete(conn);
    const left = this.countOf(entry.ip) - 1;
    if (left > 0) this.perIp.set(entry.ip, left);
    else this.perIp.delete(entry.ip);
    return true;
  }

  /** Removes and returns the connections pending since `now - timeoutMs` or earlier, oldest first. */
  takeExpired(now: number): C[] {
    const expired: C[] = [];
    for (const [conn, { at }] of this.since) {
      if (now - at < this.limits.timeoutMs) break;
      expired.push(conn);
    }
    for (const conn of expired) this.remove(conn);
    return expired;
  }
}
