import type { Invocation, LoadBalancer, Provider } from './load-balancer';
import type { RandomOptions } from './random';
import { anyWeighted, pickWeighted, usableWeight } from './weights';

export type LeastActiveOptions = RandomOptions;

/**
 * Least active: the provider with the fewest in-flight calls
 * ({@link Provider.active}, kept by the caller), so slow providers, which
 * accumulate calls, get fewer new ones. Ties (e.g. all idle) are broken by
 * weighted random among the tied, so equal providers share load instead of the
 * first one taking it all. Weight 0 providers are skipped unless every
 * provider has weight 0: an idle drained provider must not attract traffic.
 */
export class LeastActiveLoadBalancer implements LoadBalancer {
  private readonly random: () => number;

  constructor(options: LeastActiveOptions = {}) {
    this.random = options.random ?? Math.random;
  }

  select<P extends Provider>(providers: readonly P[], _call: Invocation): P | undefined {
    if (providers.length <= 1) return providers[0];
    const weighted = anyWeighted(providers);
    let least = Number.POSITIVE_INFINITY;
    const tied: P[] = [];
    for (const p of providers) {
      if (weighted && usableWeight(p) === 0) continue;
      if (p.active < least) {
        least = p.active;
        tied.length = 0;
        tied.push(p);
      } else if (p.active === least) {
        tied.push(p);
      }
    }
    // Empty only if no active count compared (all NaN): fall back to weighted random over all.
    if (tied.length === 0) return pickWeighted(providers, this.random);
    return tied.length === 1 ? tied[0] : pickWeighted(tied, this.random);
  }
}
