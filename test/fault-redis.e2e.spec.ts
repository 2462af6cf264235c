import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, sleep, startRedis, until } from '@spear/testing';
import { E2E_BUSES, printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { sdkUser, uidOn, type Recorded } from './support/sdk-helpers';
import { Traffic } from './support/traffic';

const OUTAGE_MS = 5000;

describe.each(E2E_BUSES)('faults: Redis stopped for 5 s under load, with persistence on (%s bus)', (bus) => {
  let bed: TestBed;
  const users: Recorded[] = [];

  beforeAll(async () => {
    bed = await startTestBed({
      bus,
      redisPersistence: true,
      overrides: { ticket: { rateLimit: { perUid: { limit: 10_000, windowMs: 60_000 } } } },
    });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.client.close();
    await bed?.close();
  });

  it('no service exits, sends fail clearly meanwhile, traffic flows within 2 s of Redis returning, nothing acked is lost', async () => {
    const connectAll = async (node: string, prefix: string, n: number) => {
      const list: Recorded[] = [];
      for (let i = 0; list.length < n; i++) list.push(await sdkUser(bed, await uidOn(bed, node, `${prefix}${i}`), { timeoutMs: 3000, backoff: { minMs: 100, maxMs: 1000 } }));
      users.push(...list);
      return list;
    };
    const senders = [...(await connectAll('spear-1', 'rs-send-a', 3)), ...(await connectAll('spear-2', 'rs-send-b', 3))];
    const receivers = [...(await connectAll('spear-1', 'rs-recv-a', 3)), ...(await connectAll('spear-2', 'rs-recv-b', 3))];
    const traffic = new Traffic(senders, receivers, 20);
    await sleep(1500);

    const port = bed.redis.port;
    const stoppedAt = Date.now();
    await bed.redis.stop();
    await sleep(OUTAGE_MS);
    bed.redis = await startRedis({ dir: join(bed.dir, 'redis'), port, persistence: true });
    const backAt = Date.now();
    await until(() => traffic.firstAckAfter(backAt) !== undefined, 10_000, 'a send acked after Redis returned');
    const firstOk = traffic.firstAckAfter(backAt)!;
    await sleep(2000);
    await traffic.stop();

    // Sends answered while Redis was down (one made then may still be stored and acked once it is back).
    const duringOutage = traffic.outcomes.filter((o) => o.doneAt > stoppedAt + 200 && o.doneAt < backAt);
    const failedCodes = [...new Set(traffic.failed.map((o) => o.code))].sort();
    console.log(
      `${bus} bus: ${traffic.acked.length} sends acked, ${traffic.failed.length} failed (${failedCodes.join(', ')}); ` +
        `the first ack came ${firstOk.doneAt - backAt} ms after Redis was back`,
    );
    expect(duringOutage.length).toBeGreaterThan(0);
    // Never a false ack: every send answered while Redis was down failed, with a clear code.
    expect(duringOutage.filter((o) => o.id)).toEqual([]);
    expect(failedCodes.every((c) => ['internal', 'timeout', 'disconnected'].includes(c!))).toBe(true);
    expect(firstOk.doneAt - backAt).toBeLessThan(2000);
    // No service exited.
    for (const s of bed.cluster.services) expect(isAlive(s.pid), s.name).toBe(true);
    // Every acked message reached its recipient (after dedupe by id): 0 lost.
    await until(() => traffic.missing().length === 0, 15_000, 'every acked message delivered').catch(() => undefined);
    expect(traffic.missing()).toEqual([]);
  });
});
