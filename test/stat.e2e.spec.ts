import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, zookeeperAuthOf } from '@spear/config';
import { ZooKeeperRegistry } from '@spear/registry';
import { RpcClient, RpcError } from '@spear/rpc';
import { adminHeaders, DEV_ADMIN_KEY, freePort, pollUntil, startServiceProcess, WORKSPACE_DIST, type ServiceProcess } from '@spear/testing';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { connectUser, ticketFor, type TestUser } from './support/spear-client';

interface NodeView {
  node: string;
  stale: boolean;
  at: number;
  seq: number;
  reports: number;
  metrics: Record<string, number>;
}

describe('stat: spear reports and RPC statistics from a live cluster', () => {
  let bed: TestBed;
  let statUrl: string;
  let registry: ZooKeeperRegistry;
  let rpc: RpcClient;
  let restarted: ServiceProcess | undefined;
  let second: ServiceProcess | undefined;
  const users: TestUser[] = [];
  /** stat's read API answers the admin key (or the read-only key): StatReadGuard. */
  const statFetch = (path: string, key = DEV_ADMIN_KEY) => fetch(`${statUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const get = async <T>(path: string): Promise<T> => (await statFetch(path)).json() as Promise<T>;

  async function userOn(nodeId: string, prefix: string): Promise<TestUser> {
    for (let i = 0; i < 200; i++) {
      if ((await ticketFor(bed.cluster.ticketUrl, `${prefix}-${i}`)).node.id === nodeId) {
        const u = await connectUser(bed.cluster.ticketUrl, `${prefix}-${i}`);
        users.push(u);
        return u;
      }
    }
    throw new Error(`no uid for ${nodeId}`);
  }

  beforeAll(async () => {
    bed = await startTestBed({
      overrides: { monitor: { reportIntervalMs: 500, shipIntervalMs: 500 }, stat: { staleAfterMs: 2000 }, zookeeper: { sessionTimeoutMs: 3000 } },
    });
    statUrl = bed.cluster.service('stat').baseUrl;
    const config = loadConfig('stat', { profile: bed.profileDir });
    registry = new ZooKeeperRegistry({ ...config.zookeeper, auth: zookeeperAuthOf(config) });
    await registry.ready();
    rpc = new RpcClient({ registry, clusterSecret: config.secrets.clusterSecret });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.close();
    await rpc?.close();
    await registry?.close();
    await restarted?.stop();
    await second?.stop();
    await bed?.close();
  });

  it('adds up both nodes: connections in the totals, each node fresh', async () => {
    for (let i = 0; i < 3; i++) await userOn('spear-1', `stat-a${i}`);
    for (let i = 0; i < 2; i++) await userOn('spear-2', `stat-b${i}`);
    // Connections count from engine.io's handshake, users from the node core's acceptance after it: a report
    // taken between the two shows the fifth connection and four users, so wait for both.
    const cluster = await pollUntil(
      () => get<{ live: number; metrics: Record<string, number> }>('/v1/cluster'),
      (c) => c.live === 2 && c.metrics.connections === 5 && c.metrics.users === 5,
      10_000,
    );
    expect(cluster).toMatchObject({ nodes: 2, live: 2, stale: 0, metrics: { connections: 5, users: 5 } });
    const { nodes } = await get<{ nodes: NodeView[] }>('/v1/nodes');
    expect(nodes.map((n) => [n.node, n.stale, n.metrics.connections])).toEqual([['spear-1', false, 3], ['spear-2', false, 2]]);
  });

  it('shows traffic as rates in the series, and RPC calls per method and provider', async () => {
    const [a, b] = [users[0]!, users[3]!];
    for (let i = 0; i < 20; i++) await a.emit('send', { to: b.uid, body: i });
    const series = await pollUntil(
      () => get<{ points: Array<[number, number | null]> }>(`/v1/series?metric=msgsInPerSec&node=spear-1&from=${Date.now() - 60_000}`),
      (s) => s.points.some(([, v]) => (v ?? 0) > 0),
      10_000,
    );
    const delivered = series.points.filter(([, v]) => v !== null);
    expect(delivered.length).toBeGreaterThan(0);
    // They went in on spear-1 and out on spear-2 (reported in its next report).
    const out = await pollUntil(
      () => get<{ points: Array<[number, number | null]> }>(`/v1/series?metric=msgsOutPerSec&node=spear-2&from=${Date.now() - 60_000}`),
      (s) => s.points.some(([, v]) => (v ?? 0) > 0),
      5000,
    );
    expect(out.points.some(([, v]) => (v ?? 0) > 0)).toBe(true);

    const rpcView = await pollUntil(
      () => get<{ methods: Array<{ side: string; service: string; method: string; calls: number; providers: Array<{ provider: string }> }> }>('/v1/rpc'),
      (r) => r.methods.some((m) => m.side === 'server' && m.service === 'idgen' && m.method === 'nextBatch'),
      10_000,
    );
    const client = rpcView.methods.find((m) => m.side === 'client' && m.service === 'idgen' && m.method === 'nextBatch');
    expect(client?.calls).toBeGreaterThan(0);
    expect(client?.providers[0]?.provider).toMatch(/^127\.0\.0\.1:\d+$/);
    // Calls to stat itself are not reported (no monitor of the monitor).
    expect(rpcView.methods.some((m) => m.service === 'stat')).toBe(false);
  });

  it('answers its read API only with the admin key or the read-only key (401 unauthorized otherwise); /healthz and /metrics stay open', async () => {
    const readKey = loadConfig('stat', { profile: bed.profileDir }).secrets.statReadKey!;
    for (const path of ['/v1/nodes', '/v1/cluster', '/v1/rpc', '/v1/groups', '/v1/groups/stat-room']) {
      for (const headers of [{}, { authorization: 'Bearer wrong-key' }, { authorization: DEV_ADMIN_KEY }] as Array<Record<string, string>>) {
        const res = await fetch(`${statUrl}${path}`, { headers });
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
      expect((await statFetch(path, readKey)).status, path).toBe(200);
      expect((await statFetch(path)).status, path).toBe(200);
    }
    for (const path of ['/healthz', '/metrics']) expect((await fetch(`${statUrl}${path}`)).status, path).toBe(200);
  });

  it('refuses bad queries and bad RPC payloads with bad_request', async () => {
    for (const q of ['metric=nope', 'metric=users&from=20&to=10', 'metric=users&step=fine&from=1', 'metric=users&node=a%20b', 'metric=users&extra=1']) {
      const res = await statFetch(`/v1/series?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    }
    expect((await statFetch('/v1/rpc?windowSeconds=0')).status).toBe(400);
    expect((await statFetch('/v1/rpc/series?side=client&service=idgen&method=next&metric=bogus')).status).toBe(400);
    for (const bad of [null, {}, { source: { app: 'spear', instance: 'x', boot: 'abcd' }, seq: -1 }]) {
      const error = await rpc.call('stat', 'report', bad).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(RpcError);
      expect((error as RpcError).code).toBe('bad_request');
    }
  });

  it('serves group statistics from Redis: members, online uids, messages per second over time, the busiest groups', async () => {
    const [a, b] = [await userOn('spear-1', 'stat-ga'), await userOn('spear-2', 'stat-gb')];
    for (const u of [a, b]) expect(await u.emit('join', { group: 'stat-room' })).toMatchObject({ ok: true });
    const putMember = await fetch(`${bed.cluster.ticketUrl}/v1/groups/stat-room/members/stat-member`, { method: 'PUT', headers: adminHeaders() });
    expect(putMember.status).toBe(204);
    for (let i = 0; i < 5; i++) expect(await a.emit('publish', { group: 'stat-room', body: i })).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 1100)); // the rate and the series read full seconds only
    const view = await get<{ group: string; policy: string; members: number; online: number; msgsPerSecond: number; stepSeconds: number; points: Array<[number, number]> }>('/v1/groups/stat-room');
    expect(view).toMatchObject({ group: 'stat-room', policy: 'open', members: 1, online: 2, msgsPerSecond: 0.5, stepSeconds: 1 });
    expect(view.points).toHaveLength(60);
    expect(view.points.reduce((n, [, c]) => n + c, 0)).toBe(5);
    expect(view.points.at(-1)![0] - view.points[0]![0]).toBe(59_000);
    expect((await get<{ points: unknown[] }>('/v1/groups/stat-room?seconds=5')).points).toHaveLength(5);
    const { busiest } = await get<{ busiest: Array<{ group: string; messages: number; online: number }> }>('/v1/groups?limit=5');
    expect(busiest.find((g) => g.group === 'stat-room')).toMatchObject({ messages: 5, online: 2 });
    expect(await get('/v1/groups/nobody-here')).toMatchObject({ members: 0, online: 0, msgsPerSecond: 0 });
    for (const path of ['/v1/groups/bad%20name', '/v1/groups/stat-room?seconds=0', '/v1/groups/stat-room?seconds=61', '/v1/groups?limit=101', '/v1/groups?limit=x']) {
      const res = await statFetch(path);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    }
    // Gone again: the connection counts of the tests below are theirs.
    for (const u of [a, b]) users.splice(users.indexOf(u), 1)[0]!.close();
  });

  it('loses nothing but the missed reports while stat is down, and resumes when it is back', async () => {
    const stat = bed.cluster.service('stat');
    await stat.stop();
    const stoppedAt = Date.now();
    // Spear keeps serving meanwhile.
    await users[0]!.emit('send', { to: users[3]!.uid, body: 'while stat is down' });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await fetch(`${bed.cluster.service('spear-spear-1').baseUrl}/healthz`)).status).toBe(200);
    const profile = JSON.parse(readFileSync(join(bed.profileDir, 'profile.json'), 'utf8'));
    restarted = await startServiceProcess({ app: 'stat', baseUrl: `http://127.0.0.1:${profile.stat.http.port}`, distDir: WORKSPACE_DIST, profileDir: bed.profileDir, logDir: join(bed.dir, 'logs'), name: 'stat-again' });
    const { nodes } = await pollUntil(() => get<{ nodes: NodeView[] }>('/v1/nodes'), (v) => v.nodes.every((n) => n.at > stoppedAt + 1500 && !n.stale), 10_000);
    expect(nodes.map((n) => n.node)).toEqual(['spear-1', 'spear-2']);
    // The reports made during the outage were kept by the senders and delivered afterwards: none lost.
    for (const n of nodes) expect(n.reports, n.node).toBe(n.seq + 1);
  });

  it('spreads reports over two stat instances through the RPC load balancer, storing each once', async () => {
    const profile = JSON.parse(readFileSync(join(bed.profileDir, 'profile.json'), 'utf8'));
    const port = await freePort();
    const secondDir = join(bed.dir, 'profile-stat-2');
    mkdirSync(secondDir, { recursive: true });
    writeFileSync(join(secondDir, 'profile.json'), JSON.stringify({ ...profile, stat: { ...profile.stat, http: { host: '127.0.0.1', port }, rpc: { host: '127.0.0.1', port: 0 } } }));
    second = await startServiceProcess({ app: 'stat', baseUrl: `http://127.0.0.1:${port}`, distDir: WORKSPACE_DIST, profileDir: secondDir, logDir: join(bed.dir, 'logs'), name: 'stat-2' });
    await pollUntil(() => registry.list('/services/stat/providers'), (l) => l.length === 2, 5000);
    const before = await get<{ nodes: NodeView[] }>('/v1/nodes');
    await new Promise((r) => setTimeout(r, 3000));
    const after = await get<{ nodes: NodeView[] }>(`/v1/nodes`);
    // Both instances answer the same (Redis holds the state); every report since boot is stored exactly once.
    const viaSecond = await (await fetch(`http://127.0.0.1:${port}/v1/nodes`, { headers: adminHeaders() })).json() as { nodes: NodeView[] };
    expect(viaSecond.nodes.map((n) => n.node)).toEqual(after.nodes.map((n) => n.node));
    for (const n of after.nodes) {
      expect(n.seq).toBeGreaterThan(before.nodes.find((b) => b.node === n.node)!.seq + 3);
      expect(n.reports, n.node).toBe(n.seq + 1);
    }
    // Both instances got calls (the balancer spread them).
    const served = await Promise.all([statUrl, `http://127.0.0.1:${port}`].map(async (url) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return Number(/spear_rpc_server_calls_total\{service="stat",method="report",outcome="ok"\} (\d+)/.exec(text)?.[1] ?? 0);
    }));
    expect(served.every((n) => n > 0), String(served)).toBe(true);
  });

  it('marks a node that stops reporting as stale within staleAfterMs', async () => {
    await bed.cluster.service('spear-spear-2').kill();
    const killedAt = Date.now();
    const { nodes } = await pollUntil(() => get<{ nodes: NodeView[] }>('/v1/nodes'), (v) => v.nodes.find((n) => n.node === 'spear-2')?.stale === true, 5000);
    expect(Date.now() - killedAt).toBeLessThan(2000 + 1500);
    expect(nodes.map((n) => [n.node, n.stale])).toEqual([['spear-1', false], ['spear-2', true]]);
    const cluster = await get<{ live: number; stale: number; metrics: Record<string, number> }>('/v1/cluster');
    expect(cluster).toMatchObject({ live: 1, stale: 1, metrics: { connections: 3 } });
  });
});
