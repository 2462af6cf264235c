import type { ClusterName } from '../cluster';
import type { LoadBalancerName } from '../loadbalance';

/** How calls to one service are placed; profiles set it per service. */
export interface ServicePolicy {
  loadbalance: LoadBalancerName;
  cluster: ClusterName;
  timeoutMs: number;
  retries: number;
  /** Methods that may run twice without harm; only these are retried after a possible execution. */
  retrySafe: string[];
}

export const DEFAULT_SERVICE_POLICY: ServicePolicy = {
  loadbalance: 'random',
  cluster: 'failover',
  timeoutMs: 1000,
  retries: 2,
  retrySafe: [],
};
