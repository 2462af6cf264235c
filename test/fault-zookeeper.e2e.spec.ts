import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, pollUntil, startZooKeeper } from '@spear/testing';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { connectUser, ticketFor, until, type TestUser } from './support/spear-client';

const SESSION_TIMEOUT_MS = 3000;

interface LogLine {
  time: string;
  msg: string;
  ms?: number;
}

/** The service's "registrations restored" log lines (pino JSON). */
function restoredLines(logFile: string): LogLine[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('registrations restored'))
    .map((l) => JSON.parse(l) as LogLine);
}

describe('faults: ZooKeeper sessions expiring and ZooKeeper going away', () => {
  let bed: TestBed;
  const users: TestUser[] = [];

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

  /** The ids of the live spear nodes ticket hands out, as its /v1/nodes says. */
  const ticketNodes = async () => ((await (await fetch(`${bed.cluster.ticketUrl}/v1/nodes`)).json()) as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id).sort();

  beforeAll(async () => {
    bed = await startTestBed({ apps: ['idgen', 'stat', 'ticket', 'spear'], overrides: { zookeeper: { sessionTimeoutMs: SESSION_TIMEOUT_MS } } });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.close();
    await bed?.close();
  });

  // A process frozen for longer than its session timeout loses its session, as in a long partition or GC pause.
  for (const name of ['spear-spear-2', 'idgen', 'stat'] as const) {
    it(`${name}: after a forced session expiry it registers again within 1 s of its new session and is used again`, async () => {
      const service = bed.cluster.service(name);
      const before = restoredLines(service.logFile).length;
      process.kill(service.pid, 'SIGSTOP');
      try {
        await new Promise((r) => setTimeout(r, SESSION_TIMEOUT_MS + 2000));
        if (name === 'spear-spear-2') expect(await pollUntil(ticketNodes, (ids) => ids.length === 1, 5000)).toEqual(['spear-1']);
      } finally {
        process.kill(service.pid, 'SIGCONT');
      }
      await until(() => restoredLines(service.logFile).length > before, 10_000, `${name} restoring its registrations`);
      const restored = restoredLines(service.logFile).at(-1)!;
      console.log(`${name}: registrations restored ${restored.ms} ms after its new session`);
      expect(restored.ms).toBeLessThan(1000);
      if (name === 'spear-spear-2') {
        // Routed to again: ticket hands it out, and a user there gets messages.
        expect(await pollUntil(ticketNodes, (ids) => ids.length === 2, 5000)).toEqual(['spear-1', 'spear-2']);
        const [a, b] = [await userOn('spear-1', 'zk-a'), await userOn('spear-2', 'zk-b')];
        await a.emit('send', { to: b.uid, body: 'after expiry' });
        await until(() => b.msgs.some((m) => m.body === 'after expiry'));
      } else {
        // idgen serves spear's id requests again / stat receives reports again.
        const sender = await userOn('spear-1', `zk-${name}`);
        const ack = await sender.emit<{ id: string }>('send', { to: 'nobody-in-particular', body: 'ids still flow' });
        expect(ack).toMatchObject({ ok: true });
        if (name === 'stat') {
          const statUrl = service.baseUrl;
          const fresh = await pollUntil(
            async () => ((await (await fetch(`${statUrl}/v1/nodes`, { headers: adminHeaders() })).json()) as { nodes: Array<{ stale: boolean; receivedAt: number }> }).nodes,
            (nodes) => nodes.length === 2 && nodes.every((n) => Date.now() - n.receivedAt < 3000),
            10_000,
          );
          expect(fresh.every((n) => !n.stale)).toBe(true);
        }
      }
    });
  }

  it('ZooKeeper down for 10 s: connections keep working, tickets use the last known ring, registrations come back', async () => {
    const [a, b] = [await userOn('spear-1', 'zkdown-a'), await userOn('spear-2', 'zkdown-b')];
    const port = bed.zk.port;
    await bed.zk.stop();
    const stoppedAt = Date.now();
    let sentDuringOutage = 0;
    while (Date.now() - stoppedAt < 10_000) {
      const ack = await a.emit('send', { to: b.uid, body: `zk down ${sentDuringOutage}` });
      expect(ack).toMatchObject({ ok: true });
      sentDuringOutage++;
      const { node } = await ticketFor(bed.cluster.ticketUrl, 'zkdown-a-0');
      expect(['spear-1', 'spear-2']).toContain(node.id);
      await new Promise((r) => setTimeout(r, 500));
    }
    await until(() => b.msgs.length === sentDuringOutage, 5000, 'every message sent while ZooKeeper was down');
    console.log(`ZooKeeper down ${Date.now() - stoppedAt} ms: ${sentDuringOutage} sends acked and delivered meanwhile`);
    bed.zk = await startZooKeeper({ dir: join(bed.dir, 'zookeeper'), port });
    const restartedAt = Date.now();
    // Every service is registered again (its old session or a new one).
    for (const app of ['idgen', 'stat', 'ticket', 'spear']) {
      const live = await pollUntil(async () => (await fetch(`${bed.cluster.service(app === 'spear' ? 'spear-spear-1' : app).baseUrl}/healthz`)).status, (s) => s === 200, 15_000);
      expect(live, app).toBe(200);
    }
    expect(await pollUntil(ticketNodes, (ids) => ids.length === 2, 15_000)).toEqual(['spear-1', 'spear-2']);
    console.log(`every service healthy and both nodes listed ${Date.now() - restartedAt} ms after ZooKeeper restarted`);
  });
});
