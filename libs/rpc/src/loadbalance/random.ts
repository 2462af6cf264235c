import type { Invocation, LoadBalancer, Provider } from './load-balancer';
import { pickWeighted } from './weights';

export interface RandomOptions {
  /** Uniform source in [0, 1); default Math.random. Inject a seeded one for reproducible tests. */
  readonly random?: () => number;
}

/**
 * Weighted random, the default balancer: each provider is chosen with
 * probability weight / total weight, independently per call; stateless, so
 * one instance can serve every service.
 */
export class RandomLoadBalancer implements LoadBalancer {
  private readonly random: () => number;

  constructor(options: RandomOptions = {}) {
    this.random = options.random ?? Math.random;
  }

  select<P extends Provider>(providers: readonly P[], _call: Invocation): P | undefined {
    return pickWeighted(providers, this.random);
  }
}
