import 'reflect-metadata';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { connect } from 'node:net';
import { Registry as PromRegistry } from 'prom-client';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zkPaths } from '@spear/catalog';
import { ZooKeeperRegistry } from '@spear/registry';
import { DEV_ZOOKEEPER_AUTH, expireZooKeeperSession, makeTempDir, removeTempDir, sleep, startZooKeeper, until, type ZooKeeperHandle } from '@spear/testing';
import { RpcClient } from './client/rpc-client';
import { RpcError } from './errors';
import { RpcServer } from './server/rpc-server';
import { RpcMetrics } from './stats/rpc-metrics';
import { RawPeer } from './test-support/raw-peer';

let served = 0;

@Controller()
class DemoController {
  @MessagePattern({ service: 'demo', method: 'echo' })
  echo(@Payload() data: unknown) {
    served++;
    return { echo: data, pid: process.pid };
  }

  @MessagePattern({ service: 'demo', method: 'sleep' })
  async sleep(@Payload() ms: number) {
    await new Promise((r) => setTimeout(r, ms));
    return 'slept';
  }

  @MessagePattern({ service: 'demo', method: 'fail' })
  fail() {
    throw new RpcError('clock_backwards', 'the clock went back');
  }
}

@Module({ controllers: [DemoController] })
class DemoModule {}

const ROOT = '/spear/rpc-test';
const SECRET = 'rpc-test-cluster-secret-0123456789';

interface Provider {
  app: INestMicroservice;
  server: RpcServer;
  registry: ZooKeeperRegistry;
}

describe('Spear RPC on a real ZooKeeper', () => {
  let dir: string;
  let zk: ZooKeeperHandle;
  const providers: Provider[] = [];
  const clients: RpcClient[] = [];

  const registryFor = (sessionTimeoutMs = 4000) => new ZooKeeperRegistry({ connect: zk.connectString, root: ROOT, sessionTimeoutMs, connectTimeoutMs: 5000, auth: DEV_ZOOKEEPER_AUTH });
  async function startProvider(weight = 1): Promise<Provider> {
    const registry = registryFor();
    await registry.ready();
    const server = new RpcServer({ host: '127.0.0.1', port: 0, weight, version: 'test', registry, clusterSecret: SECRET, drainTimeoutMs: 2000 });
    const app = await NestFactory.createMicroservice(DemoModule, { strategy: server, logger: false });
    await app.listen();
    const p = { app, server, registry };
    providers.push(p);
    return p;
  }
  function client(services = {}): RpcClient {
    const c = new RpcClient({ registry: registryFor(), clusterSecret: SECRET, metrics: new RpcMetrics(new PromRegistry()), services, discoveryWaitMs: 3000 });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    dir = makeTempDir('spear-rpc-');
    zk = await startZooKeeper({ dir });
  });
  // Teardown must end even when a timed-out attempt left a client or provider mid-call (a retried
  // session-expiry test on a loaded machine hung the hook for its full minute): each close gets a
  // deadline, then ZooKeeper goes, which ends whatever still waits on it.
  afterAll(async () => {
    const closing = [...clients.map((c) => c.close()), ...providers.map((p) => p.app.close())];
    await Promise.all(closing.map((close) => Promise.race([close.catch(() => undefined), sleep(5000)])));
    await zk?.stop();
    removeTempDir(dir);
  });

  it('registers the provider and answers calls, also through Nest send()', async () => {
    const p = await startProvider();
    const c = client();
    expect(await c.call('demo', 'echo', { a: 1 })).toEqual({ echo: { a: 1 }, pid: process.pid });
    expect(await lastValueFrom(c.send({ service: 'demo', method: 'echo' }, 'via-send'))).toMatchObject({ echo: 'via-send' });
    const listed = await p.registry.list<{ port: number; methods: string[]; protocol: string }>(zkPaths.providers('demo'));
    expect(listed).toHaveLength(1);
    expect(listed[0]!.data).toMatchObject({ port: p.server.port, protocol: 'spear-rpc/2', methods: ['echo', 'fail', 'sleep'] });
  });

  it('multiplexes many concurrent calls over one connection', async () => {
    const c = client();
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => c.call<{ echo: number }>('demo', 'echo', i)));
    expect(results.map((r) => r.echo)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('carries a handler error code to the caller', async () => {
    await expect(client().call('demo', 'fail')).rejects.toMatchObject({ code: 'clock_backwards', message: 'the clock went back' });
  });

  it('fails a slow call with a timeout, leaving nothing pending', async () => {
    const c = client({ demo: { cluster: 'failfast' } });
    const started = Date.now();
    await expect(c.call('demo', 'sleep', 500, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(400);
    expect(c.providers('demo').every((p) => p.active === 0)).toBe(true);
  });

  it('answers no_provider for a service nobody provides', async () => {
    const c = new RpcClient({ registry: registryFor(), clusterSecret: SECRET, discoveryWaitMs: 200 });
    clients.push(c);
    await expect(c.call('nobody', 'x')).rejects.toMatchObject({ code: 'no_provider' });
  });

  it('answers no_handler for an unknown method and survives garbage on the wire', async () => {
    const c = client();
    await expect(c.call('demo', 'nope')).rejects.toMatchObject({ code: 'no_handler' });
    const port = providers[0]!.server.port;
    // Garbage bytes, a frame that is not JSON, and an oversized length header each close only that connection.
    for (const bytes of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('{{{')]), Buffer.from([0xff, 0xff, 0xff, 0xff])]) {
      const closed = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => s.write(bytes));
        s.resume(); // reads whatever the provider says, so its close is seen
        s.on('close', () => resolve(true));
        s.on('error', () => undefined);
        setTimeout(() => resolve(false), 2000);
      });
      expect(closed).toBe(true);
    }
    // From an authenticated peer, a well-framed message with a bad shape gets an error reply naming its call.
    const peer = await RawPeer.authenticated(port, SECRET);
    peer.send({ i: 9, p: 42 });
    expect(await peer.next()).toMatchObject({ i: 9, e: { code: 'bad_request' } });
    peer.destroy();
    expect(await c.call('demo', 'echo', 'still alive')).toMatchObject({ echo: 'still alive' });
  });

  it('fails over to another provider when one dies, for retry-safe calls; failfast reports the failure', async () => {
    const second = await startProvider();
    const c = client({ demo: { retrySafe: ['echo'] } });
    await until(() => c.providers('demo').length === 2);
    // Crash-like: connections dropped, nothing unregistered (its znode lives until its session ends).
    second.server.unwrap<import('node:net').Server>().close();
    await (second.server as unknown as { sockets: Set<import('node:net').Socket> }).sockets.forEach((s) => s.destroy());
    const before = served;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => c.call<{ echo: number }>('demo', 'echo', i)));
    expect(results.map((r) => r.echo)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(served - before).toBe(50);
    const fast = client({ demo: { cluster: 'failfast', loadbalance: 'roundrobin' } });
    await until(() => fast.providers('demo').length === 2);
    const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => fast.call('demo', 'echo', 1)));
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => ((o as PromiseRejectedResult).reason as RpcError).code)).toEqual(['not_sent', 'not_sent']);
    await second.registry.close();
    await second.app.close();
  });

  it('on close: unregisters, finishes in-flight calls, refuses new ones', async () => {
    const p = await startProvider();
    const c = client({ demo: { cluster: 'failfast', loadbalance: 'roundrobin' } });
    await until(() => c.providers('demo').length === 2);
    const target = c.providers('demo').find((x) => x.port === p.server.port)!;
    const inFlight = target.request('{"method":"sleep","service":"demo"}', 300, 2000);
    await new Promise((r) => setTimeout(r, 50));
    const closing = p.app.close();
    await new Promise((r) => setTimeout(r, 50));
    await expect(target.request('{"method":"echo","service":"demo"}', 1, 1000)).rejects.toMatchObject({ code: expect.stringMatching(/shutting_down|not_sent|connection_lost/) });
    expect(await inFlight).toBe('slept');
    await closing;
    await until(() => c.providers('demo').length === 1);
    await p.registry.close();
  });

  // retry: forcing an expiry from outside races the victim's own reconnect (see expireZooKeeperSession).
  it('after a forced session expiry, the provider is registered again and consumers see it', { retry: 1, timeout: 30_000 }, async () => {
    const p = await startProvider();
    const c = client();
    await until(() => c.providers('demo').length === 2);
    const old = p.registry.sessionId;
    await expireZooKeeperSession(zk.connectString, p.registry.sessionCredentials(), () => p.registry.sessionId !== old);
    await until(() => p.registry.state === 'connected' && p.registry.sessionId !== old);
    // Registered again in the new session (the consumer's view may lag: it is a watch).
    const me = `127.0.0.1:${p.server.port}`;
    for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
      if ((await p.registry.list(zkPaths.providers('demo'))).some((e) => e.name === me)) break;
    }
    expect((await p.registry.list(zkPaths.providers('demo'))).map((e) => e.name)).toContain(me);
    await until(() => c.providers('demo').some((x) => x.port === p.server.port), 10_000);
    expect(await c.call('demo', 'echo', 'after expiry')).toMatchObject({ echo: 'after expiry' });
  });
});
