import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashRing } from '@spear/ring';
import { startServiceProcess, WORKSPACE_DIST, type ServiceProcess } from '@spear/testing';
import { E2E_BUSES, printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { signTicket, ticketKeys } from '@spear/tickets';
import { connectUser, connectWithTicket, until, type TestUser } from './support/spear-client';

describe.each(E2E_BUSES)('cluster behaviour: rebalance when a node joins, drain on SIGTERM (%s bus)', (bus) => {
  let bed: TestBed;
  let third: ServiceProcess | undefined;
  const users: TestUser[] = [];
  const migrated = new Set<string>();

  beforeAll(async () => {
    bed = await startTestBed({ bus, spearNodes: 3, spearNodeIds: ['spear-1', 'spear-2'], overrides: { spear: { migration: { graceMs: 500, perSecond: 1000, retryAfterMs: 50, drainMs: 2000 } } } });
    for (let i = 0; i < 60; i++) {
      const u = await connectUser(bed.cluster.ticketUrl, `mover-${i}`);
      u.socket.on('migrate', () => migrated.add(u.uid));
      users.push(u);
    }
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.close();
    await third?.stop();
    await bed?.close();
  });

  it('a third node joining moves only the users that now hash to it', async () => {
    const profile = JSON.parse(readFileSync(join(bed.profileDir, 'profile.json'), 'utf8'));
    const node3 = profile.spear.nodes.find((n: { id: string }) => n.id === 'spear-3');
    third = await startServiceProcess({ app: 'spear', nodeId: 'spear-3', baseUrl: `http://127.0.0.1:${node3.port}`, distDir: WORKSPACE_DIST, profileDir: bed.profileDir, logDir: join(bed.dir, 'logs') });
    const ring = new HashRing(['spear-1', 'spear-2', 'spear-3'].map((id) => ({ id, weight: 1 })));
    const expected = new Set(users.filter((u) => ring.get(u.uid)!.id === 'spear-3').map((u) => u.uid));
    expect(expected.size).toBeGreaterThan(5);
    await until(() => migrated.size >= expected.size, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect([...migrated].sort()).toEqual([...expected].sort());
    // After the grace period those connections are closed by the server.
    await until(() => users.filter((u) => expected.has(u.uid)).every((u) => !u.socket.connected), 5000);
    // Reconnecting through ticket lands them on the new node, and they keep receiving.
    const sender = await connectUser(bed.cluster.ticketUrl, 'mover-sender');
    users.push(sender);
    for (const uid of [...expected].slice(0, 5)) {
      const back = await connectUser(bed.cluster.ticketUrl, uid);
      users.push(back);
      expect(back.ready.node).toBe('spear-3');
      await sender.emit('send', { to: uid, body: 'after the move' });
      await until(() => back.msgs.some((m) => m.body === 'after the move'));
    }
  });

  it('SIGTERM drains a node: migrate to every client, no new handshakes, clean exit 0', async () => {
    migrated.clear();
    const node = bed.cluster.service('spear-spear-2');
    const onNode = users.filter((u) => u.socket.connected && u.ready.node === 'spear-2');
    expect(onNode.length).toBeGreaterThan(0);
    for (const u of onNode) u.socket.on('migrate', () => migrated.add(u.uid));
    const exited = new Promise<number | null>((r) => node.child.once('exit', (code) => r(code)));
    node.child.kill('SIGTERM');
    await until(() => onNode.every((u) => migrated.has(u.uid)), 5000);
    // While it drains, a new handshake, even with a good ticket for it, is refused.
    const secret = JSON.parse(readFileSync(join(bed.profileDir, 'profile.json'), 'utf8')).secrets.ticketSecret;
    const ticket = signTicket(ticketKeys(secret), { uid: 'latecomer', nodeId: 'spear-2', expiresAt: Date.now() + 30_000 });
    expect(await connectWithTicket(node.baseUrl, ticket).then(() => 'connected', (e: Error) => e.message)).toBe('draining');
    expect(await exited).toBe(0);
    expect(onNode.every((u) => !u.socket.connected)).toBe(true);
    // Their next tickets point at live nodes only.
    const back = await connectUser(bed.cluster.ticketUrl, onNode[0]!.uid);
    users.push(back);
    expect(['spear-1', 'spear-3']).toContain(back.ready.node);
  });
});
