import { CLUSTER_NAMES } from '@spear/config';
import type { ClusterStrategy } from './cluster';
import { FailfastCluster } from './failfast';
import { FailoverCluster } from './failover';

/** The strategies a profile can name per service (listed once, beside the profile schema that validates them). */
export { CLUSTER_NAMES };
export type ClusterName = (typeof CLUSTER_NAMES)[number];

export function createCluster(name: ClusterName): ClusterStrategy {
  return name === 'failfast' ? new FailfastCluster() : new FailoverCluster();
}

export * from './cluster';
export * from './failfast';
export * from './failover';
