import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createClient, CreateMode, type Client } from 'node-zookeeper-client';
import zookeeper from 'node-zookeeper-client';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zkPaths } from '@spear/catalog';
import { loadConfig, zookeeperAuthOf } from '@spear/config';
import { ZooKeeperRegistry } from '@spear/registry';
import { HandshakeKey, RpcClient } from '@spear/rpc';
import { MAX_STAT_SEQ } from '@spear/stat-client';
import { issueToken, until, WORKSPACE_DIST } from '@spear/testing';
import { keysEverywhere, openRedis, usedMemory, zookeeperConnectString } from './support/bed-engines';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';

/**
 * Attacks on the internal planes (issue #19), each as the 2026-12-03 review
 * found it, against a running cluster: a stranger on the network speaks our
 * RPC and ZooKeeper protocols directly, with the tools anyone has (a TCP
 * socket, a stock ZooKeeper client). Every attack must be refused and change
 * nothing. The edge's attacks are in attack-edge.e2e.spec.ts, minions' in
 * minions-security.e2e.spec.ts.
 */

/** A bare TCP peer speaking the RPC framing (4-byte length, JSON) and nothing else. */
class WirePeer {
  readonly frames: Array<Record<string, unknown>> = [];
  closed = false;
  private buffer = Buffer.alloc(0);

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 4 && this.buffer.length >= 4 + this.buffer.readUInt32BE(0)) {
        const length = this.buffer.readUInt32BE(0);
        this.frames.push(JSON.parse(this.buffer.toString('utf8', 4, 4 + length)) as Record<string, unknown>);
        this.buffer = this.buffer.subarray(4 + length);
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<WirePeer> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new WirePeer(socket)));
      socket.once('error', reject);
    });
  }

  send(value: unknown): void {
    const json = Buffer.from(JSON.stringify(value));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(json.length);
    this.socket.write(Buffer.concat([header, json]));
  }

  async next(): Promise<Record<string, unknown>> {
    await until(() => this.frames.length > 0 || this.closed, 3000);
    const frame = this.frames.shift();
    if (!frame) throw new Error('closed without a frame');
    return frame;
  }
}

/** A stock ZooKeeper client with no credentials, or the wrong ones. */
async function intruder(connectString: string, auth?: string): Promise<Client> {
  const client = createClient(connectString, { sessionTimeout: 4000 });
  if (auth) client.addAuthInfo('digest', Buffer.from(auth));
  let connected = false;
  client.once('connected', () => (connected = true));
  client.connect();
  await until(() => connected, 10_000);
  return client;
}

/** The ZooKeeper error code name of an operation (or 'ok'). */
function outcome(run: (cb: (error: unknown) => void) => void): Promise<string> {
  // node-zookeeper-client's exceptions print as "Exception: NO_AUTH[-102]".
  return new Promise((resolve) => run((error) => resolve(error ? (/Exception: ([A-Z_]+)/.exec(String(error))?.[1] ?? String(error)) : 'ok')));
}

describe('attacks on the internal planes are refused', () => {
  let bed: TestBed;
  let redis: Redis | Cluster;
  let registry: ZooKeeperRegistry;
  let rpc: RpcClient;
  let config: ReturnType<typeof loadConfig<'stat'>>;
  const intruders: Client[] = [];

  /** The RPC port a service registered (every provider publishes its host:port). */
  const rpcPortOf = async (service: string) => {
    const [provider] = await registry.list<{ port: number }>(zkPaths.providers(service));
    return provider!.data.port;
  };

  beforeAll(async () => {
    bed = await startTestBed({ apps: ['idgen', 'stat', 'ticket', 'spear'] });
    config = loadConfig('stat', { profile: bed.profileDir });
    redis = openRedis(bed);
    registry = new ZooKeeperRegistry({ ...config.zookeeper, auth: zookeeperAuthOf(config) });
    await registry.ready();
    rpc = new RpcClient({ registry, clusterSecret: config.secrets.clusterSecret, discoveryWaitMs: 5000, services: { stat: { cluster: 'failfast' } } });
  }, 120_000);
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const c of intruders) c.close();
    await rpc?.close();
    await registry?.close();
    redis?.disconnect();
    await bed?.close();
  });

  it('a forged stat report over plain TCP (seq 2^32-1: 512 MiB of SETBIT) is refused unexecuted, and Redis does not grow', async () => {
    const before = await usedMemory(redis);
    const peer = await WirePeer.open(await rpcPortOf('stat'));
    const forged = { source: { app: 'spear', instance: '127.0.0.1:1', boot: 'forged1' }, seq: 4_294_967_295, node: 'spear-1', at: Date.now(), intervalMs: 2000, metrics: {} };
    peer.send({ i: 1, p: '{"method":"report","service":"stat"}', d: forged });
    expect(await peer.next()).toMatchObject({ e: { code: 'unauthenticated', message: expect.stringContaining('authenticate first') } });
    await until(() => peer.closed, 2000);
    expect(await keysEverywhere(redis, '*forged1*')).toEqual([]);
    const after = await usedMemory(redis);
    expect(after - before).toBeLessThan(1024 * 1024);
  });

  it('a peer that guesses the cluster secret is refused at the handshake; idgen serves no ids to strangers', async () => {
    for (const service of ['stat', 'idgen']) {
      const peer = await WirePeer.open(await rpcPortOf(service));
      const nonce = Buffer.alloc(16, 7);
      peer.send({ hi: nonce.toString('base64'), v: 2 });
      const challenge = await peer.next();
      const serverNonce = Buffer.from(String(challenge.hi), 'base64');
      // What the review's attacker would have to do: prove a secret it does not hold.
      peer.send({ m: new HandshakeKey('a-guessed-cluster-secret-1234').proof('client', nonce, serverNonce) });
      peer.send({ i: 1, p: '{"method":"nextBatch","service":"idgen"}', d: { count: 4096 } });
      expect(await peer.next()).toMatchObject({ e: { code: 'unauthenticated', message: expect.stringContaining('wrong cluster secret') } });
      await until(() => peer.closed, 2000);
      expect(peer.frames).toEqual([]); // no reply to the call: it never ran
    }
  });

  it('a cluster member cannot make stat allocate past the seq bound either (bad_request)', async () => {
    const report = (seq: number) => ({ source: { app: 'spear', instance: '127.0.0.1:1', boot: 'bounded1' }, seq, node: 'spear-x', at: Date.now(), intervalMs: 2000, metrics: Object.fromEntries(['connections', 'users', 'groups', 'msgsInPerSec', 'msgsOutPerSec', 'inboxWritesPerSec', 'busPublishedPerSec', 'busConsumedPerSec', 'busLagP99Ms', 'eventLoopP99Ms', 'rssBytes', 'heapUsedBytes'].map((m) => [m, 0])) });
    await expect(rpc.call('stat', 'report', report(4_294_967_295))).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('seq') });
    await expect(rpc.call('stat', 'report', report(MAX_STAT_SEQ))).resolves.toMatchObject({ stored: true });
    // The largest bitmap a report can make: MAX_STAT_SEQ bits.
    const [bitmap] = await keysEverywhere(redis, '*bounded1*');
    expect(await redis.strlen(bitmap!)).toBeLessThanOrEqual((MAX_STAT_SEQ + 1) / 8);
  });

  it('without the ZooKeeper password nobody reads, deletes or forges a spear node znode; ticket keeps sending clients to the real nodes', async () => {
    const root = config.zookeeper.root;
    const real = `${root}${zkPaths.spearNode('spear-1')}`;
    for (const auth of [undefined, `${config.zookeeper.user}:a-guessed-password`]) {
      const c = await intruder(zookeeperConnectString(bed), auth);
      intruders.push(c);
      expect(await outcome((cb) => c.getData(real, (e) => cb(e)))).toBe('NO_AUTH');
      expect(await outcome((cb) => c.getChildren(`${root}${zkPaths.instances('ticket')}`, (e) => cb(e)))).toBe('NO_AUTH');
      // The review's redirect: remove spear-1's znode and put a URL of ours in its place.
      expect(await outcome((cb) => c.remove(real, -1, (e) => cb(e)))).toBe('NO_AUTH');
      const rogue = JSON.stringify({ id: 'spear-1', url: 'http://127.0.0.1:9', weight: 100 });
      expect(await outcome((cb) => c.create(`${root}${zkPaths.spearNode('rogue')}`, Buffer.from(rogue), [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('world', 'anyone'))], CreateMode.EPHEMERAL, (e) => cb(e)))).toBe('NO_AUTH');
    }
    const nodes = await registry.list(zkPaths.spearNodes);
    expect(nodes.map((n) => n.name).sort()).toEqual(['spear-1', 'spear-2']);
    for (let i = 0; i < 10; i++) {
      const uid = `za-${i}`;
      const res = await fetch(`${bed.cluster.ticketUrl}/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid, token: await issueToken(bed.cluster.ticketUrl, uid) }) });
      const { node } = (await res.json()) as { node: { url: string } };
      expect([bed.cluster.service('spear-spear-1').baseUrl, bed.cluster.service('spear-spear-2').baseUrl]).toContain(node.url);
    }
  });

  it("stat's read API shows nothing without a key", async () => {
    const statUrl = bed.cluster.service('stat').baseUrl;
    for (const path of ['/v1/nodes', '/v1/cluster', '/v1/rpc', '/v1/groups']) {
      const res = await fetch(`${statUrl}${path}`);
      expect(res.status, path).toBe(401);
      expect(await res.text()).not.toMatch(/boot/);
    }
  });

  it('a production profile on a development secret does not start, and says which secret in one line', async () => {
    const dir = join(bed.dir, 'prod-profile');
    mkdirSync(dir, { recursive: true });
    // Everything of the test cluster, under a name that is not a development one: it inherits local's dev secrets.
    writeFileSync(join(dir, 'profile.json'), JSON.stringify({ extends: bed.profileDir, name: 'prod-eu', redis: { keyPrefix: 'spear:prod-eu:' } }));
    const child = spawn(process.execPath, [join(WORKSPACE_DIST, 'ticket', 'main.js')], { env: { ...process.env, SPEAR_PROFILE: dir, SPEAR_PARENT_PID: String(process.pid) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const fatal = output.split('\n').filter((l) => l.includes('cannot start')).map((l) => JSON.parse(l) as { msg: string; err?: unknown });
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.msg).toMatch(/"prod-eu" is not a development profile.*secrets\.clusterSecret: is a development secret committed to the repository/);
    expect(fatal[0]!.err).toBeUndefined(); // no stack trace: the line says what to fix
  });
});
