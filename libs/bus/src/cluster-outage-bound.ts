import type { Cluster } from 'ioredis';

/**
 * Bounds how long a command may wait for a cluster that is down.
 *
 * A cluster client with the offline queue on holds every command it cannot
 * send (issued while it is not `ready`, or sent before the outage and retried
 * into the queue once its node's connection failed) until the cluster is
 * ready again, however long that takes: a send would hang through an outage
 * instead of failing. One Redis fails such a command after one reconnect
 * attempt (maxRetriesPerRequest 1); this gives the cluster the same promise in
 * time, in two parts:
 * - a command issued while the cluster is not ready is rejected after `ms`
 *   unless it was answered first (a brief reconnect or the first connect still
 *   goes through);
 * - while the cluster stays not ready for longer than `ms`, its offline queue
 *   is emptied with an error every `ms / 2`, which reaches the commands that
 *   were issued before it went down and were queued by their retries.
 * Commands issued while it is ready pay one status check; a slot in failover
 * on a ready cluster keeps ioredis's own retries.
 *
 * Guarantee: no command waits on a cluster that has been down for `ms` much
 * longer than `ms` more (+ timer slack); a command rejected here was never
 * answered, so the caller may treat it as not done (it may still run once the
 * cluster is back: the same ambiguity as a timeout on one Redis).
 * Relies on ioredis 6's private `flushQueue` (pinned in package.json); throws
 * at once if this ioredis has none.
 */
export function boundWaitWhileDown(cluster: Cluster, ms: number): void {
  const flushQueue = (cluster as unknown as { flushQueue?: (error: Error) => void }).flushQueue?.bind(cluster);
  if (typeof flushQueue !== 'function') throw new Error('boundWaitWhileDown: this ioredis Cluster has no flushQueue (ioredis 6 is pinned in package.json)');
  const down = (what: string) => new Error(`redis cluster down: no answer to ${what} within ${ms} ms (${cluster.status})`);

  const send = cluster.sendCommand.bind(cluster);
  cluster.sendCommand = (command, stream, node) => {
    if (cluster.status !== 'ready') {
      const timer = setTimeout(() => {
        if (!command.isSettled) command.reject(down(command.name));
      }, ms);
      timer.unref();
      void Promise.resolve(command.promise).then(
        () => clearTimeout(timer),
        () => clearTimeout(timer),
      );
    }
    return send(command, stream, node);
  };

  let downSince: number | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  const stopSweeping = () => {
    clearInterval(sweeper);
    sweeper = undefined;
    downSince = undefined;
  };
  const sweep = () => {
    if (cluster.status === 'ready' || cluster.status === 'end') return stopSweeping();
    if (downSince !== undefined && Date.now() - downSince >= ms) flushQueue(down('a command queued while it is down'));
  };
  const wentDown = () => {
    downSince ??= Date.now();
    if (sweeper) return;
    sweeper = setInterval(sweep, Math.max(10, ms / 2));
    sweeper.unref();
  };
  // The cluster emits its status as an event on every change.
  for (const status of ['close', 'reconnecting', 'connecting', 'connect']) cluster.on(status, wentDown);
  cluster.on('ready', stopSweeping);
  cluster.on('end', stopSweeping);
}
