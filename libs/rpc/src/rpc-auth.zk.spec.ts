import 'reflect-metadata';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Registry as PromRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperRegistry } from '@spear/registry';
import { DEV_ZOOKEEPER_AUTH, makeTempDir, removeTempDir, startZooKeeper, until, type ZooKeeperHandle } from '@spear/testing';
import { RpcClient } from './client/rpc-client';
import { RpcServer } from './server/rpc-server';
import { RpcMetrics } from './stats/rpc-metrics';
import { RawPeer } from './test-support/raw-peer';
import { HANDSHAKE_VERSION } from './wire/handshake';

let calls = 0;

@Controller()
class GuardedController {
  @MessagePattern({ service: 'guarded', method: 'echo' })
  echo(@Payload() data: unknown) {
    calls++;
    return data;
  }
}

@Module({ controllers: [GuardedController] })
class GuardedModule {}

const ROOT = '/spear/rpc-auth-test';
const SECRET = 'rpc-auth-cluster-secret-0123456789';

/** The spear-rpc/2 handshake against real sockets: nobody without the cluster secret gets a call served. */
describe('RPC authentication', () => {
  let dir: string;
  let zk: ZooKeeperHandle;
  let app: INestMicroservice;
  let server: RpcServer;
  let metrics: RpcMetrics;
  const closers: Array<() => Promise<unknown>> = [];

  const registry = async () => {
    const r = new ZooKeeperRegistry({ connect: zk.connectString, root: ROOT, sessionTimeoutMs: 4000, connectTimeoutMs: 5000, auth: DEV_ZOOKEEPER_AUTH });
    await r.ready();
    closers.push(() => r.close());
    return r;
  };
  const refused = (reason: string) => metrics.serverRefused.get().then((m) => m.values.find((v) => v.labels.reason === reason)?.value ?? 0);

  beforeAll(async () => {
    dir = makeTempDir('spear-rpc-auth-');
    zk = await startZooKeeper({ dir });
    metrics = new RpcMetrics(new PromRegistry());
    server = new RpcServer({ host: '127.0.0.1', port: 0, weight: 1, version: 'test', registry: await registry(), clusterSecret: SECRET, metrics, maxConnectionsPerPeer: 20, maxPendingHandshakes: 8, handshakeTimeoutMs: 500, maxFrameBytes: 64 * 1024 });
    app = await NestFactory.createMicroservice(GuardedModule, { strategy: server, logger: false });
    await app.listen();
  });
  afterAll(async () => {
    await app?.close();
    for (const close of closers) await close().catch(() => undefined);
    await zk?.stop();
    removeTempDir(dir);
  });

  it('serves a client that holds the secret', async () => {
    const client = new RpcClient({ registry: await registry(), clusterSecret: SECRET, discoveryWaitMs: 3000 });
    closers.push(() => client.close());
    expect(await client.call('guarded', 'echo', { hi: 1 })).toEqual({ hi: 1 });
  });

  it('refuses a call sent without a handshake, unexecuted, and closes the connection', async () => {
    const before = calls;
    const peer = await RawPeer.open(server.port);
    peer.send({ i: 1, p: '{"method":"echo","service":"guarded"}', d: 'forged' });
    expect(await peer.next()).toMatchObject({ e: { code: 'unauthenticated', message: expect.stringContaining('authenticate first') } });
    expect(await peer.closedWithin(1000)).toBe(true);
    expect(calls).toBe(before);
  });

  it('refuses a client with the wrong secret; its calls fail with a message that says so', async () => {
    const before = calls;
    const client = new RpcClient({ registry: await registry(), clusterSecret: 'not-the-cluster-secret-at-all', services: { guarded: { cluster: 'failfast' } }, discoveryWaitMs: 3000 });
    closers.push(() => client.close());
    // The provider proves itself first, so it is the client that finds the secrets differ.
    await expect(client.call('guarded', 'echo', 1)).rejects.toMatchObject({ code: 'not_sent', message: expect.stringContaining('unauthenticated: the provider did not prove it holds the cluster secret') });
    expect(calls).toBe(before);
  });

  it('a replayed proof from another connection does not authenticate', async () => {
    const first = await RawPeer.open(server.port);
    first.send({ hi: Buffer.alloc(16, 1).toString('base64'), v: HANDSHAKE_VERSION });
    const challenge = (await first.next()) as { hi: string; m: string };
    // A proof that would fit some other nonce: the server chose a fresh one for this connection.
    first.send({ m: challenge.m });
    expect(await first.next()).toMatchObject({ e: { code: 'unauthenticated', message: expect.stringContaining('wrong cluster secret') } });
    expect(await first.closedWithin(1000)).toBe(true);
    expect(await refused('unauthenticated')).toBeGreaterThan(0);
  });

  it('a client does not talk to a provider that cannot prove the secret', async () => {
    const rogueApp = await NestFactory.createMicroservice(GuardedModule, {
      strategy: new RpcServer({ host: '127.0.0.1', port: 0, weight: 1, version: 'rogue', registry: await registry(), clusterSecret: 'a-rogue-provider-secret-000000', drainTimeoutMs: 500 }),
      logger: false,
    });
    await rogueApp.listen();
    closers.push(() => rogueApp.close());
    const client = new RpcClient({ registry: await registry(), clusterSecret: SECRET, services: { guarded: { cluster: 'failover', retries: 3, loadbalance: 'roundrobin', retrySafe: ['echo'] } }, discoveryWaitMs: 3000 });
    closers.push(() => client.close());
    // Every call lands on the real provider: the rogue one fails its dial (not_sent) and failover moves on.
    for (let i = 0; i < 6; i++) expect(await client.call('guarded', 'echo', i)).toBe(i);
  });

  it('closes a connection that stays silent past the handshake timeout', async () => {
    const peer = await RawPeer.open(server.port);
    expect(await peer.closedWithin(2000)).toBe(true);
    expect(await refused('handshake_timeout')).toBeGreaterThan(0);
  });

  it('caps frames before authentication at a few hundred bytes and after it at maxFrameBytes', async () => {
    const big = await RawPeer.open(server.port);
    big.send({ hi: 'x'.repeat(2000), v: HANDSHAKE_VERSION });
    expect(await big.closedWithin(1000)).toBe(true);
    const peer = await RawPeer.authenticated(server.port, SECRET);
    peer.send({ i: 1, p: '{"method":"echo","service":"guarded"}', d: 'x'.repeat(32 * 1024) });
    expect(await peer.next()).toMatchObject({ i: 1, r: 'x'.repeat(32 * 1024) });
    peer.send({ i: 2, p: '{"method":"echo","service":"guarded"}', d: 'x'.repeat(100 * 1024) });
    expect(await peer.closedWithin(1000)).toBe(true);
  });

  it('bounds pending handshakes and connections per peer', async () => {
    const silent = await Promise.all(Array.from({ length: 8 }, () => RawPeer.open(server.port)));
    const ninth = await RawPeer.open(server.port);
    expect(await ninth.next()).toMatchObject({ e: { code: 'too_many_connections', message: expect.stringContaining('pending') } });
    for (const p of silent) p.destroy();
    await until(() => server.pendingHandshakes === 0);
    // Authenticated connections count against the per-peer cap (20; one is the client of the first test).
    const held: RawPeer[] = [];
    for (let i = 0; held.length < 25 && i < 25; i++) {
      try {
        held.push(await RawPeer.authenticated(server.port, SECRET));
      } catch (error) {
        expect(String(error)).toMatch(/too_many_connections: peer 127\.0\.0\.1 already holds/);
        break;
      }
    }
    expect(held.length).toBeLessThan(20);
    expect(await refused('peer_limit')).toBeGreaterThan(0);
    for (const p of held) p.destroy();
  });
});
