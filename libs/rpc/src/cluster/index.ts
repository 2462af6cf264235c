import type { ClusterStrategy } from './cluster';
import { FailfastCluster } from './failfast';
import { FailoverCluster } from './failover';

export const CLUSTER_NAMES = ['failover', 'failfast'] as const;
export type ClusterName = (typeof CLUSTER_NAMES)[number];

export function createCluster(name: ClusterName): ClusterStrategy {
  return name === 'failfast' ? new FailfastCluster() : new FailoverCluster();
}

export * from './cluster';
export * from './failfast';
export * from './failover';
