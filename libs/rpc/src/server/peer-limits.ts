/**
 * How many connections one RPC server holds per peer address, and how many
 * may be mid-handshake at once, in all and per peer. Every one of our
 * processes keeps a single multiplexed connection per provider, so a peer past
 * its cap is a leak or a flood, never real traffic; pending handshakes are
 * bounded apart, and per peer too, so that silent connects from one address
 * can neither hold the slots of authenticated peers nor every handshake slot.
 *
 * Guarantee: `admit` refuses (and nothing is counted) once a peer holds
 * `perPeer` connections or `pendingPerPeer` handshakes, or `pending`
 * handshakes are open in all; every admitted connection is counted out
 * exactly once by `release`.
 */
export class PeerLimits {
  private readonly byPeer = new Map<string, { held: number; pending: number }>();
  private pendingCount = 0;

  constructor(
    readonly perPeer: number,
    readonly pending: number,
    readonly pendingPerPeer: number,
  ) {}

  /** null when admitted (it starts pending), else which limit refused it. */
  admit(peer: string): { reason: 'peer_limit' | 'pending_limit'; message: string } | null {
    const counts = this.byPeer.get(peer) ?? { held: 0, pending: 0 };
    if (counts.held >= this.perPeer) return { reason: 'peer_limit', message: `peer ${peer} already holds ${counts.held} connections (rpc.maxConnectionsPerPeer)` };
    if (counts.pending >= this.pendingPerPeer) return { reason: 'pending_limit', message: `peer ${peer} already has ${counts.pending} handshakes pending` };
    if (this.pendingCount >= this.pending) return { reason: 'pending_limit', message: `${this.pendingCount} handshakes already pending` };
    this.byPeer.set(peer, { held: counts.held + 1, pending: counts.pending + 1 });
    this.pendingCount++;
    return null;
  }

  /** The connection finished its handshake: it no longer counts as pending. */
  authenticated(peer: string): void {
    this.pendingCount--;
    const counts = this.byPeer.get(peer);
    if (counts) counts.pending--;
  }

  release(peer: string, wasPending: boolean): void {
    const counts = this.byPeer.get(peer);
    if (!counts) return;
    if (wasPending) {
      this.pendingCount--;
      counts.pending--;
    }
    if (--counts.held <= 0) this.byPeer.delete(peer);
  }

  get pendingNow(): number {
    return this.pendingCount;
  }
}
