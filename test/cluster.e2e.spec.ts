import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zkPaths } from '@spear/catalog';
import { loadConfig, zookeeperAuthOf } from '@spear/config';
import { ZooKeeperRegistry } from '@spear/registry';
import { isAlive, pollUntil, waitForHttpOk } from '@spear/testing';
import { stopRedis } from './support/bed-engines';
import { startTestBed, type TestBed } from './support/engines-and-cluster';
import { connectUser } from './support/spear-client';

describe('the whole cluster on real ZooKeeper and Redis', () => {
  let bed: TestBed;
  let registry: ZooKeeperRegistry;

  beforeAll(async () => {
    bed = await startTestBed();
    const config = loadConfig('ticket', { profile: bed.profileDir });
    registry = new ZooKeeperRegistry({ ...config.zookeeper, auth: zookeeperAuthOf(config) });
    await registry.ready();
  });

  afterAll(async () => {
    await registry?.close();
    const pids = bed?.cluster.services.map((s) => s.pid) ?? [];
    await bed?.close();
    // Nothing the cluster started outlives it.
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('starts six service processes, every /healthz answering 200 with its dependencies', async () => {
    expect(bed.cluster.services.map((s) => s.name).sort()).toEqual(['idgen', 'minions', 'spear-spear-1', 'spear-spear-2', 'stat', 'ticket']);
    for (const s of bed.cluster.services) {
      const res = await fetch(`${s.baseUrl}/healthz`);
      expect(res.status, s.name).toBe(200);
      // idgen talks to ZooKeeper only (ARCHITECTURE.md): no redis check, its worker lease instead.
      const own = s.app === 'idgen' ? { 'worker-lease': 'ok' } : { redis: 'ok' };
      expect(await res.json()).toEqual({ status: 'ok', checks: { zookeeper: 'ok', registration: 'ok', ...own } });
    }
  });

  it('registers every service in ZooKeeper under the profile root', async () => {
    for (const app of ['idgen', 'stat', 'ticket', 'minions', 'spear']) {
      const providers = await registry.list<{ service: string; port: number; pid: number }>(`/services/${app}/instances`);
      expect(providers.length, app).toBe(app === 'spear' ? 2 : 1);
      for (const p of providers) expect(p.data.service).toBe(app);
    }
    const nodes = await registry.list<{ url: string; weight: number }>(zkPaths.spearNodes);
    expect(nodes.map((n) => n.name)).toEqual(['spear-1', 'spear-2']);
    expect(nodes[0]!.data.url).toBe(bed.cluster.service('spear-spear-1').baseUrl);
  });

  it('ticket lists the live spear nodes', async () => {
    const res = await fetch(`${bed.cluster.ticketUrl}/v1/nodes`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { nodes: Array<{ id: string; url: string; weight: number }> };
    expect(body.nodes.map((n) => n.id)).toEqual(['spear-1', 'spear-2']);
    expect(body.nodes.every((n) => n.weight === 1 && n.url.startsWith('http://127.0.0.1:'))).toBe(true);
  });

  it('serves Prometheus metrics, counting its own HTTP requests', async () => {
    for (const s of bed.cluster.services) {
      const res = await fetch(`${s.baseUrl}/metrics`);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text, s.name).toMatch(/^spear_process_resident_memory_bytes\{/m);
      expect(text, s.name).toMatch(/^spear_http_requests_total\{method="GET",route="\/healthz",status="200"/m);
    }
  });

  it('answers unknown routes with the protocol error body', async () => {
    const res = await fetch(`${bed.cluster.ticketUrl}/v1/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('spear serves socket.io on its port to a client holding a ticket, and counts the connection', async () => {
    const user = await connectUser(bed.cluster.ticketUrl, 'metrics-user');
    try {
      const spear = bed.cluster.service(`spear-${user.ready.node}`);
      const metrics = await (await fetch(`${spear.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/^spear_connections\{[^}]*\} 1$/m);
      expect(metrics).toMatch(/^spear_users\{[^}]*\} 1$/m);
    } finally {
      user.close();
    }
  });

  it('minions serves its UI and the topology read from ZooKeeper', async () => {
    const page = await fetch(`${bed.cluster.minionsUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    // The API wants an operator session (the local profile's operator admin, password minions).
    expect((await fetch(`${bed.cluster.minionsUrl}/api/topology`)).status).toBe(401);
    const login = await fetch(`${bed.cluster.minionsUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: bed.cluster.minionsUrl }, body: JSON.stringify({ name: 'admin', password: 'minions' }) });
    expect(login.status).toBe(204);
    const cookie = { cookie: login.headers.get('set-cookie')!.split(';')[0]! };
    const topology = (await (await fetch(`${bed.cluster.minionsUrl}/api/topology`, { headers: cookie })).json()) as { services: Record<string, unknown[]>; spearNodes: unknown[] };
    expect(Object.keys(topology.services).sort()).toEqual(['idgen', 'minions', 'spear', 'stat', 'ticket']);
    expect(topology.spearNodes).toHaveLength(2);
    const redis = (await (await fetch(`${bed.cluster.minionsUrl}/api/redis`, { headers: cookie })).json()) as { info: Record<string, string> };
    expect(redis.info.redis_version).toMatch(/^7\./);
  });

  it('logs JSON lines with pino', () => {
    const first = readFileSync(bed.cluster.service('ticket').logFile, 'utf8').split('\n')[0]!;
    expect(JSON.parse(first)).toMatchObject({ service: 'ticket', level: expect.any(Number) });
  });

  it('reports 503 naming Redis while Redis is down, and 200 once it is back', async () => {
    const ticket = bed.cluster.service('ticket');
    const startAgain = await stopRedis(bed);
    const down = await pollUntil(() => fetch(`${ticket.baseUrl}/healthz`), (r) => r.status === 503, 5000);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { failing: string[]; error: { code: string; message: string } };
    expect(body.failing).toEqual(['redis']);
    expect(body.error.code).toBe('dependency_down');
    expect(body.error.message).toMatch(/^redis: /);
    // A Redis outage is none of idgen's business: it keeps serving ids.
    expect((await fetch(`${bed.cluster.service('idgen').baseUrl}/healthz`)).status).toBe(200);
    await startAgain();
    await waitForHttpOk(`${ticket.baseUrl}/healthz`, 10_000);
  });

  it('on SIGTERM a spear node unregisters first, then exits 0', async () => {
    const node = bed.cluster.service('spear-spear-2');
    const exited = new Promise<number | null>((resolve) => node.child.once('exit', (code) => resolve(code)));
    node.child.kill('SIGTERM');
    const nodes = await pollUntil(() => registry.list(zkPaths.spearNodes), (l) => l.length === 1, 5000);
    expect(nodes.map((n) => n.name)).toEqual(['spear-1']);
    expect(await exited).toBe(0);
    const listed = (await (await fetch(`${bed.cluster.ticketUrl}/v1/nodes`)).json()) as { nodes: Array<{ id: string }> };
    expect(listed.nodes.map((n) => n.id)).toEqual(['spear-1']);
    expect(await registry.list('/services/spear/instances')).toHaveLength(1);
  });
});
