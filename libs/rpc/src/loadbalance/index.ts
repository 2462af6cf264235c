import { LOAD_BALANCER_NAMES } from '@spear/config';
import { ConsistentHashLoadBalancer, type ConsistentHashOptions } from './consistent-hash';
import { LeastActiveLoadBalancer, type LeastActiveOptions } from './least-active';
import type { LoadBalancer } from './load-balancer';
import { RandomLoadBalancer, type RandomOptions } from './random';
import { RoundRobinLoadBalancer } from './round-robin';

export * from './load-balancer';
export * from './random';
export * from './round-robin';
export * from './least-active';
export * from './consistent-hash';

/** The balancers a profile can name per service (listed once, beside the profile schema that validates them). */
export { LOAD_BALANCER_NAMES };
export type LoadBalancerName = (typeof LOAD_BALANCER_NAMES)[number];
/** Used when a service names none. */
export const DEFAULT_LOAD_BALANCER: LoadBalancerName = 'random';

/** Options for any balancer; each reads only its own fields and ignores the rest. */
export type LoadBalancerOptions = RandomOptions & LeastActiveOptions & ConsistentHashOptions;

export function isLoadBalancerName(name: string): name is LoadBalancerName {
  return (LOAD_BALANCER_NAMES as readonly string[]).includes(name);
}

/**
 * A new balancer by name. Every call returns a fresh instance: stateful
 * balancers (round robin, consistent hash) keep their state per service inside
 * it, so share one instance per name rather than creating one per call.
 *
 * @throws Error for an unknown name (a profile typo), listing the valid ones.
 */
export function createLoadBalancer(name: LoadBalancerName, options: LoadBalancerOptions = {}): LoadBalancer {
  switch (name) {
    case 'random':
      return new RandomLoadBalancer(options);
    case 'roundrobin':
      return new RoundRobinLoadBalancer();
    case 'leastactive':
      return new LeastActiveLoadBalancer(options);
    case 'consistenthash':
      return new ConsistentHashLoadBalancer(options);
    default:
      // Names come from profiles at runtime, so the type alone does not guarantee this.
      throw new Error(`unknown load balancer ${JSON.stringify(name)}; expected one of ${LOAD_BALANCER_NAMES.join(', ')}`);
  }
}
