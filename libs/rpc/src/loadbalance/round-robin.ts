import type { Invocation, LoadBalancer, Provider } from './load-balancer';
import { usableWeight } from './weights';

/** Per provider id: nginx's `current_weight` and the weight it was accumulated with. */
interface Peer {
  weight: number;
  current: number;
  /** Call number that last saw this provider, and where: drops leavers and skips duplicate ids. */
  seen: number;
  index: number;
}

/** State of one service+method. */
interface Rotation {
  calls: number;
  readonly peers: Map<string, Peer>;
}

/**
 * Smooth weighted round robin (nginx's `ngx_http_upstream_get_peer`): each
 * call adds every provider's weight to its current value, picks the highest
 * (first in list order on ties) and subtracts the total from it. Weights
 * {a:5, b:1, c:1} give a a b a c a a, repeating: exact shares per cycle with
 * heavy providers interleaved rather than bunched.
 *
 * State is per service and method. A provider that leaves the list is
 * forgotten on the next call; one that joins starts at 0, and one whose weight
 * changes restarts at 0 (as Dubbo does), so the others' rotation is not reset.
 * Memory is bounded by the number of distinct service+method pairs times their
 * providers. Duplicate ids in a list count once (the first).
 */
export class RoundRobinLoadBalancer implements LoadBalancer {
  private readonly services = new Map<string, Map<string, Rotation>>();

  select<P extends Provider>(providers: readonly P[], call: Invocation): P | undefined {
    const n = providers.length;
    if (n <= 1) return providers[0];
    const rotation = this.rotation(call.service, call.method);
    const { peers } = rotation;
    const callNo = ++rotation.calls;

    let distinct = 0;
    let weighted = false;
    for (let i = 0; i < n; i++) {
      const p = providers[i]!;
      const weight = usableWeight(p);
      const peer = peers.get(p.id);
      if (peer === undefined) {
        peers.set(p.id, { weight, current: 0, seen: callNo, index: i });
      } else if (peer.seen !== callNo) {
        peer.seen = callNo;
        peer.index = i;
        if (peer.weight !== weight) {
          peer.weight = weight;
          peer.current = 0;
        }
      } else {
        continue;
      }
      distinct++;
      if (weight > 0) weighted = true;
    }
    if (peers.size !== distinct) for (const [id, peer] of peers) if (peer.seen !== callNo) peers.delete(id);

    let total = 0;
    let best: P | undefined;
    let bestPeer: Peer | undefined;
    for (let i = 0; i < n; i++) {
      const p = providers[i]!;
      const peer = peers.get(p.id)!;
      // With no usable weight anywhere, rotate evenly rather than refuse.
      const weight = weighted ? peer.weight : 1;
      if (peer.index !== i || weight === 0) continue;
      peer.current += weight;
      total += weight;
      if (bestPeer === undefined || peer.current > bestPeer.current) {
        best = p;
        bestPeer = peer;
      }
    }
    // Defined: some distinct provider had weight > 0, or all counted as 1.
    bestPeer!.current -= total;
    return best;
  }

  /** Provider ids currently tracked for a service+method, in insertion order (for diagnostics and tests). */
  tracked(service: string, method: string): string[] {
    return [...(this.services.get(service)?.get(method)?.peers.keys() ?? [])];
  }

  private rotation(service: string, method: string): Rotation {
    let methods = this.services.get(service);
    if (methods === undefined) this.services.set(service, (methods = new Map()));
    let rotation = methods.get(method);
    if (rotation === undefined) methods.set(method, (rotation = { calls: 0, peers: new Map() }));
    return rotation;
  }
}
