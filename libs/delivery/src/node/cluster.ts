/**
 * What the node core needs from the cluster's coordination service
 * (ZooKeeper in apps/spear): the lock a survivor takes to clean up after a
 * dead node. Guarantee expected: at most one holder at a time; a holder that
 * dies loses it. (Not once ever: a slower survivor may take it after the
 * first released it, so the cleanup is idempotent.)
 */
export interface ClusterLocks {
  /** The purge lock of `deadNodeId`: its release, or undefined when someone else holds it. */
  tryPurgeLock(deadNodeId: string): Promise<(() => Promise<void>) | undefined>;
}

/** A live spear node as the registry lists it. */
export interface LiveNode {
  id: string;
  weight: number;
}

/** What the core logs; pino's Logger fits. */
export interface CoreLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Where message ids come from (idgen's PrefetchingIdSource in services). */
export interface IdSource {
  next(): Promise<string>;
}
