/**
 * The provider side of bench/rpc/round-trip.bench.ts, run as a child process
 * (forked with IPC) so that client and server do not share an event loop.
 *
 * `node --import tsx bench/rpc/server.ts <zookeeper connect> <zookeeper root> <nest tcp port>`
 *
 * Serves one empty method (returns null) three ways, each its own Nest
 * microservice with the same controller:
 *   - Spear RPC, service `bench` (RpcServer, no metrics)
 *   - Spear RPC, service `bench-m` (RpcServer with RpcMetrics, as services run it)
 *   - Nest TCP (`Transport.TCP`), pattern {service: 'bench', method: 'empty'}
 * Tells the parent `{type: 'ready'}` once all three listen; answers
 * `{type: 'cpu'}` with its CPU time; stops on `{type: 'stop'}` or when the
 * parent goes away.
 */
import 'reflect-metadata';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Transport } from '@nestjs/microservices';
import { Registry as PromRegistry } from 'prom-client';
import { ZooKeeperRegistry } from '@spear/registry';
import { RpcMetrics, RpcServer } from '@spear/rpc';
import { DEV_CLUSTER_SECRET, DEV_ZOOKEEPER_AUTH } from '@spear/testing';

export type ToServer = { type: 'stop' } | { type: 'cpu' };
export type FromServer = { type: 'ready' } | { type: 'cpu'; us: number } | { type: 'error'; message: string } | { type: 'stopped' };

/**
 * A module whose one controller answers `{service, method: 'empty'}` with null.
 * Decorators are applied as functions: tsx run from the workspace root finds
 * no tsconfig.json there, so decorator syntax would not compile to what Nest expects.
 */
export function emptyMethodModule(service: string): new () => object {
  class BenchController {
    empty(): null {
      return null;
    }
  }
  const descriptor = Object.getOwnPropertyDescriptor(BenchController.prototype, 'empty')!;
  MessagePattern({ service, method: 'empty' })(BenchController.prototype, 'empty', descriptor);
  Controller()(BenchController);
  class BenchModule {}
  Module({ controllers: [BenchController] })(BenchModule);
  return BenchModule;
}

function send(message: FromServer): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const [connect, root, nestPort] = process.argv.slice(2);
  if (!connect || !root || !nestPort || !process.send) throw new Error('usage: fork bench/rpc/server.ts <zk connect> <zk root> <nest tcp port> (with IPC)');
  const registry = new ZooKeeperRegistry({ connect, root, sessionTimeoutMs: 10_000, connectTimeoutMs: 5000, auth: DEV_ZOOKEEPER_AUTH });
  await registry.ready();
  const apps: INestMicroservice[] = [];
  let stopping: Promise<void> | undefined;
  // Closing unregisters from ZooKeeper, which hangs if ZooKeeper is already gone: bounded.
  const stop = () =>
    (stopping ??= (async () => {
      setTimeout(() => process.exit(0), 3000);
      for (const app of apps) await app.close().catch(() => undefined);
      await registry.close().catch(() => undefined);
      send({ type: 'stopped' });
      process.disconnect?.();
    })());

  process.on('message', (message: ToServer) => {
    if (message.type === 'cpu') {
      const u = process.cpuUsage();
      send({ type: 'cpu', us: u.user + u.system });
    } else if (message.type === 'stop') void stop();
  });
  // The parent died or closed the channel: never outlive it.
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));

  const bare = emptyMethodModule('bench');
  const strategy = (metrics?: RpcMetrics) => new RpcServer({ host: '127.0.0.1', port: 0, weight: 1, version: 'bench', registry, clusterSecret: DEV_CLUSTER_SECRET, metrics, drainTimeoutMs: 1000 });
  apps.push(await NestFactory.createMicroservice(bare, { strategy: strategy(), logger: false }));
  apps.push(await NestFactory.createMicroservice(emptyMethodModule('bench-m'), { strategy: strategy(new RpcMetrics(new PromRegistry())), logger: false }));
  apps.push(await NestFactory.createMicroservice(bare, { transport: Transport.TCP, options: { host: '127.0.0.1', port: Number(nestPort) }, logger: false }));
  for (const app of apps) await app.listen();
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: (error as Error).stack ?? String(error) });
  process.exit(1);
});
