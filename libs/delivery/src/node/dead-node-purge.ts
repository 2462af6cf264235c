import type { ClusterLocks, CoreLogger } from './cluster';
import type { DeliveryStore } from './delivery-store';

/**
 * After a node left the cluster, a survivor holding its purge lock (at most
 * one at a time; idempotent if another does it again) removes it from the routes of its users, so sends stop forwarding there at
 * once instead of after the route TTL. Inboxes are untouched: the users'
 * messages wait for their next connection. Never rejects.
 */
export async function purgeDeadNode(deadNodeId: string, ports: { locks: ClusterLocks; store: DeliveryStore; logger: CoreLogger }): Promise<void> {
  const { locks, store, logger } = ports;
  try {
    const release = await locks.tryPurgeLock(deadNodeId);
    if (!release) return; // another survivor holds it
    try {
      const users = await store.purgeNode(deadNodeId);
      logger.info({ node: deadNodeId, users }, 'purged the routes of a departed node');
    } finally {
      await release();
    }
  } catch (error) {
    logger.warn({ node: deadNodeId, err: String(error) }, 'purge of a departed node failed; its routes expire on their own');
  }
}
