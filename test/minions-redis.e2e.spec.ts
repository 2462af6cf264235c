import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_ENGINES, printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { minionsLogin } from './support/minions-api';
import { sdkUser, uidOn, type Recorded } from './support/sdk-helpers';

interface RedisView {
  info: Record<string, string>;
  keys: { prefix: string; counts: Record<string, number>; complete: boolean };
  shards?: Array<{ node: string; slots: number; info: Record<string, string> }>;
}

/**
 * The dashboard's Redis panel on whatever engines this run has: on one Redis
 * its INFO and key counts; on a Redis Cluster (the clustered run) also every
 * shard with its slots, and key counts over every master.
 */
describe(`minions' Redis panel (${E2E_ENGINES} engines)`, () => {
  let bed: TestBed;
  const users: Recorded[] = [];

  beforeAll(async () => {
    bed = await startTestBed({ apps: ['idgen', 'stat', 'ticket', 'spear', 'minions'] });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.client.close();
    await bed?.close();
  });

  it('counts the keys of every user it stored, wherever their slots are, and shows the shards of a cluster', async () => {
    for (const node of ['spear-1', 'spear-2']) for (let i = 0; i < 4; i++) users.push(await sdkUser(bed, await uidOn(bed, node, `mr-${node}-${i}`)));
    // One message to each user: eight logs, on whichever shards their {uid} tags land.
    for (const [i, user] of users.entries()) await users[(i + 1) % users.length]!.client.send(user.client.uid, { i });
    const cookie = await minionsLogin(bed.cluster.minionsUrl);
    const view = (await (await fetch(`${bed.cluster.minionsUrl}/api/redis`, { headers: { cookie } })).json()) as RedisView;
    expect(view.keys.complete).toBe(true);
    expect(view.keys.counts.log).toBeGreaterThanOrEqual(3 * users.length); // three keys per log
    expect(view.keys.counts.route).toBeGreaterThanOrEqual(users.length);
    if (E2E_ENGINES === 'clustered') {
      expect(view.shards).toHaveLength(3);
      expect(view.shards!.reduce((sum, shard) => sum + shard.slots, 0)).toBe(16384);
      for (const shard of view.shards!) expect(shard.info.redis_version).toMatch(/^7\./);
    } else {
      expect(view.shards).toBeUndefined();
    }
  });
});
