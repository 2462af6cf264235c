import { Cluster } from 'ioredis';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { boundWaitWhileDown } from './cluster-outage-bound';

/** A port nothing listens on: a cluster client pointed there never becomes ready. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('boundWaitWhileDown', () => {
  let cluster: Cluster | undefined;
  afterEach(() => cluster?.disconnect());

  it('rejects a command issued while the cluster is down after the bound, naming it', async () => {
    cluster = new Cluster([{ host: '127.0.0.1', port: await closedPort() }], { enableOfflineQueue: true, clusterRetryStrategy: () => 100 });
    cluster.on('error', () => undefined);
    boundWaitWhileDown(cluster, 300);
    const started = Date.now();
    await expect(cluster.get('k')).rejects.toThrow(/redis cluster down: no answer to get within 300 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('empties the offline queue once the cluster has been down for the bound, reaching commands queued there by their retries', async () => {
    cluster = new Cluster([{ host: '127.0.0.1', port: await closedPort() }], { enableOfflineQueue: true, clusterRetryStrategy: () => 100 });
    cluster.on('error', () => undefined);
    boundWaitWhileDown(cluster, 300);
    // As a command sent before the outage lands there: straight into the queue, no timer of its own.
    const queued = new Promise((resolve, reject) => {
      const offline = (cluster as unknown as { offlineQueue: { push(item: unknown): void } }).offlineQueue;
      const command = { reject, resolve, isSettled: false, name: 'set', promise: new Promise(() => undefined) };
      offline.push({ command, stream: undefined, node: undefined });
    });
    const started = Date.now();
    await expect(queued).rejects.toThrow(/redis cluster down: no answer to a command queued while it is down within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('leaves a cluster without the bound waiting (what it fixes)', async () => {
    cluster = new Cluster([{ host: '127.0.0.1', port: await closedPort() }], { enableOfflineQueue: true, clusterRetryStrategy: () => 100 });
    cluster.on('error', () => undefined);
    const outcome = await Promise.race([cluster.get('k').then(() => 'answered', () => 'rejected'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 800))]);
    expect(outcome).toBe('still waiting');
  });
});
