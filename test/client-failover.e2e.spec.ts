import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@spear/testing';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { sdkUser, uidOn, type Recorded } from './support/sdk-helpers';

/** Long on purpose: the client must not need ZooKeeper to notice the crash. */
const SESSION_TIMEOUT_MS = 15_000;

describe('client SDK failover before ZooKeeper notices a crashed node', () => {
  let bed: TestBed;
  let user: Recorded | undefined;

  beforeAll(async () => {
    bed = await startTestBed({ apps: ['idgen', 'ticket', 'spear'], overrides: { zookeeper: { sessionTimeoutMs: SESSION_TIMEOUT_MS } } });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    user?.client.close();
    await bed?.close();
  });

  it('asks ticket to avoid the node it cannot reach and is connected elsewhere within seconds', async () => {
    user = await sdkUser(bed, await uidOn(bed, 'spear-2', 'failover'), { backoff: { minMs: 100, maxMs: 1000 } });
    expect(user.client.session!.node).toBe('spear-2');
    await bed.cluster.service('spear-spear-2').kill();
    const killedAt = Date.now();
    await until(() => user!.client.connected && user!.client.session?.node === 'spear-1', 10_000, 'the client on spear-1');
    const movedAfter = Date.now() - killedAt;
    // ticket still lists the dead node (its ZooKeeper session lives on): only `avoid` sent the client elsewhere.
    const listed = ((await (await fetch(`${bed.cluster.ticketUrl}/v1/nodes`)).json()) as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id);
    console.log(`reconnected to spear-1 ${movedAfter} ms after spear-2 was killed; ticket lists ${listed.join(', ')}`);
    expect(listed).toContain('spear-2');
    expect(movedAfter).toBeLessThan(5000);
    // The dropped connection alone made it avoid spear-2: the first attempt already went to spear-1.
    expect(user.events.filter((e) => e.startsWith('reconnecting:'))).toEqual(['reconnecting:disconnect']);
    // And it works there.
    const sent = await user.client.send(user.client.uid, 'to myself');
    await until(() => user!.msgs.some((m) => m.id === sent.id));
  });
});
