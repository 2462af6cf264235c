import { DEFAULT_POINTS_PER_WEIGHT, type HashRing, RingCache } from '@spear/ring';
import type { Invocation, LoadBalancer, Provider } from './load-balancer';
import { usableWeight } from './weights';

export interface ConsistentHashOptions {
  /** Which call argument to hash when the call has no `hashKey` (default 0). */
  readonly argIndex?: number;
  /** Ring points per unit of weight (default 160, ketama's). */
  readonly pointsPerWeight?: number;
}

/** A ring member: the provider's id and usable weight, and its position in the list the ring was bound to. */
interface Entry {
  readonly id: string;
  readonly weight: number;
  readonly index: number;
}

/** Per service: the ring and the ids and weights, by position, of the list it is bound to. */
interface ServiceRing {
  readonly cache: RingCache<Entry>;
  ring: HashRing<Entry> | undefined;
  ids: string[];
  weights: number[];
}

/**
 * Consistent hashing (ketama, via `@spear/ring`): calls with the same key go
 * to the same provider while the provider set is unchanged, and when a
 * provider joins or leaves only about 1/N of keys move. The key is
 * `call.hashKey` if set, else `String(call.args[argIndex])`; pass a hashKey
 * for object arguments, which would all stringify to "[object Object]".
 *
 * Weights scale a provider's points (its share of keys); weight 0 providers
 * get no keys unless all are 0, in which case all count equally. One ring per
 * service, rebuilt only when the providers' ids or weights change: a new list
 * holding the same providers in the same order costs an O(n) check, a
 * reordered one an O(n log n) rebind without rehashing. Duplicate ids count
 * once (the first).
 */
export class ConsistentHashLoadBalancer implements LoadBalancer {
  private readonly argIndex: number;
  private readonly pointsPerWeight: number;
  private readonly services = new Map<string, ServiceRing>();

  constructor(options: ConsistentHashOptions = {}) {
    const argIndex = options.argIndex ?? 0;
    if (!Number.isInteger(argIndex) || argIndex < 0) throw new RangeError(`argIndex must be an integer >= 0, got ${argIndex}`);
    this.argIndex = argIndex;
    this.pointsPerWeight = options.pointsPerWeight ?? DEFAULT_POINTS_PER_WEIGHT;
    // Fail at construction rather than on the first call.
    if (!(this.pointsPerWeight > 0 && Number.isFinite(this.pointsPerWeight))) {
      throw new RangeError(`pointsPerWeight must be a positive number, got ${this.pointsPerWeight}`);
    }
  }

  select<P extends Provider>(providers: readonly P[], call: Invocation): P | undefined {
    if (providers.length <= 1) return providers[0];
    const key = call.hashKey ?? String(call.args[this.argIndex]);
    const entry = this.ringFor(call.service, providers).get(key);
    // The ring always has points (some entry has weight > 0); the fallback only satisfies the type.
    return entry === undefined ? providers[0] : providers[entry.index];
  }

  /** Full ring builds for a service so far (for diagnostics and tests). */
  ringBuilds(service: string): number {
    return this.services.get(service)?.cache.builds ?? 0;
  }

  private ringFor(service: string, providers: readonly Provider[]): HashRing<Entry> {
    let state = this.services.get(service);
    if (state === undefined) {
      state = { cache: new RingCache({ pointsPerWeight: this.pointsPerWeight }), ring: undefined, ids: [], weights: [] };
      this.services.set(service, state);
    }
    if (state.ring !== undefined && boundTo(state, providers)) return state.ring;
    state.ring = state.cache.get(entriesOf(providers));
    state.ids = providers.map((p) => p.id);
    state.weights = providers.map((p) => p.weight);
    return state.ring;
  }
}

/** Whether `providers` has, position by position, the ids and weights the service's ring is bound to. */
function boundTo(state: ServiceRing, providers: readonly Provider[]): boolean {
  if (providers.length !== state.ids.length) return false;
  for (let i = 0; i < providers.length; i++) {
    const p = providers[i]!;
    if (p.id !== state.ids[i] || !Object.is(p.weight, state.weights[i])) return false;
  }
  return true;
}

/** Ring members for a list: first occurrence of each id, usable weights (all 1 if none is usable). */
function entriesOf(providers: readonly Provider[]): Entry[] {
  const seen = new Set<string>();
  const entries: Entry[] = [];
  providers.forEach((p, index) => {
    if (seen.has(p.id)) return;
    seen.add(p.id);
    entries.push({ id: p.id, weight: usableWeight(p), index });
  });
  // Decided on the deduplicated list: a weighted duplicate must not leave the ring empty.
  return entries.some((e) => e.weight > 0) ? entries : entries.map((e) => ({ ...e, weight: 1 }));
}
