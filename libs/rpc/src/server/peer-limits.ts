/**
 * How many connections one RPC server holds per peer address, and how many
 * may be mid-handshake at once. Every one of our processes keeps a single
 * multiplexed connection per provider, so a peer past the cap is a leak or a
 * flood, never real traffic; pending handshakes are bounded apart so that a
 * flood of silent connects cannot hold the slots of authenticated peers.
 *
 * Guarantee: `admit` refuses (and nothing is counted) once a peer holds
 * `perPeer` connections or `pending` handshakes are open; every admitted
 * connection is counted out exactly once by `release`.
 */
export class PeerLimits {
  private readonly byPeer = new Map<string, number>();
  private pendingCount = 0;

  constructor(
    readonly perPeer: number,
    readonly pending: number,
  ) {}

  /** null when admitted (it starts pending), else which limit refused it. */
  admit(peer: string): { reason: 'peer_limit' | 'pending_limit'; message: string } | null {
    const held = this.byPeer.get(peer) ?? 0;
    if (held >= this.perPeer) return { reason: 'peer_limit', message: `peer ${peer} already holds ${held} connections (rpc.maxConnectionsPerPeer)` };
    if (this.pendingCount >= this.pending) return { reason: 'pending_limit', message: `${this.pendingCount} handshakes already pending` };
    this.byPeer.set(peer, held + 1);
    this.pendingCount++;
    return null;
  }

  /** The connection finished its handshake: it no longer counts as pending. */
  authenticated(): void {
    this.pendingCount--;
  }

  release(peer: string, wasPending: boolean): void {
    if (wasPending) this.pendingCount--;
    const held = (this.byPeer.get(peer) ?? 1) - 1;
    if (held <= 0) this.byPeer.delete(peer);
    else this.byPeer.set(peer, held);
  }

  get pendingNow(): number {
    return this.pendingCount;
  }
}
