import type { Cluster } from 'ioredis';

/**
 * Bounds how long a command may wait for a cluster that is down.
 *
 * A cluster client with the offline queue on holds every command issued while
 * it is not `ready` (connecting, or every node gone) until it is ready again,
 * however long that takes: a send would hang through an outage instead of
 * failing. One Redis fails such a command after one reconnect attempt
 * (maxRetriesPerRequest 1); this gives the cluster the same promise in time:
 * a command issued while the cluster is not ready is rejected after `ms` unless
 * it was answered first (a brief reconnect or the first connect still goes
 * through). Commands issued while it is ready pay one status check; a slot in
 * failover on a ready cluster keeps ioredis's own retries.
 *
 * Guarantee: every command issued while the cluster is not ready settles
 * within `ms` (+ timer slack); a command rejected here was never answered, so
 * the caller may treat it as not done (it may still run once the cluster is
 * back: the same ambiguity as a timeout on one Redis).
 */
export function boundWaitWhileDown(cluster: Cluster, ms: number): void {
  const send = cluster.sendCommand.bind(cluster);
  cluster.sendCommand = (command, stream, node) => {
    if (cluster.status !== 'ready') {
      const timer = setTimeout(() => {
        if (!command.isSettled) command.reject(new Error(`redis cluster down: no answer to ${command.name} within ${ms} ms (${cluster.status})`));
      }, ms);
      timer.unref();
      void Promise.resolve(command.promise).then(
        () => clearTimeout(timer),
        () => clearTimeout(timer),
      );
    }
    return send(command, stream, node);
  };
}
