import { checkClusterSettled } from './redis-cluster-settled';
import type { EngineStatus } from './types';

/**
 * Quick Redis Cluster check for a status command: up when the nodes on
 * `ports` form one settled cluster (see checkClusterSettled), else why not.
 */
export async function redisClusterStatus(ports: readonly number[]): Promise<EngineStatus> {
  const check = await checkClusterSettled(ports);
  if (!check.settled) return { up: false, detail: check.why };
  const masters = check.view.filter((node) => node.role === 'master' && node.slots.length > 0).length;
  return { up: true, detail: `cluster_state:ok, ${masters} masters, ${ports.length - masters} replicas` };
}
