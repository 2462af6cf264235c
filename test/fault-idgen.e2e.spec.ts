import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, sleep, startServiceProcess, until, WORKSPACE_DIST, type ServiceProcess } from '@spear/testing';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { sdkUser, uidOn, type Recorded } from './support/sdk-helpers';
import { Traffic } from './support/traffic';

const SESSION_TIMEOUT_MS = 3000;

/** nextBatch calls an idgen process served, from its /metrics. */
async function batchesServed(p: ServiceProcess): Promise<number> {
  const text = await (await fetch(`${p.baseUrl}/metrics`)).text();
  return Number(/^spear_rpc_server_calls_total\{service="idgen",method="nextBatch",outcome="ok"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

describe('faults: the idgen leader killed in strict mode under load', () => {
  let bed: TestBed;
  let standby: ServiceProcess;
  const users: Recorded[] = [];

  beforeAll(async () => {
    bed = await startTestBed({
      overrides: {
        idgen: { strict: true },
        zookeeper: { sessionTimeoutMs: SESSION_TIMEOUT_MS },
        ticket: { rateLimit: { perUid: { limit: 10_000, windowMs: 60_000 } } },
      },
    });
    // A second idgen, standing by: same profile, its own ports.
    const profile = JSON.parse(readFileSync(join(bed.profileDir, 'profile.json'), 'utf8'));
    const [http, rpc] = [await freePort(), await freePort()];
    profile.idgen = { ...profile.idgen, http: { host: '127.0.0.1', port: http }, rpc: { host: '127.0.0.1', port: rpc } };
    const dir = join(bed.dir, 'profile-idgen-2');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'profile.json'), JSON.stringify(profile));
    standby = await startServiceProcess({ app: 'idgen', baseUrl: `http://127.0.0.1:${http}`, distDir: WORKSPACE_DIST, profileDir: dir, logDir: join(bed.dir, 'logs'), name: 'idgen-2' });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.client.close();
    await standby?.stop();
    await bed?.close();
  });

  it('sends continue after the standby takes over, and no id ever repeats', async () => {
    const connectAll = async (node: string, prefix: string, n: number) => {
      const list: Recorded[] = [];
      for (let i = 0; list.length < n; i++) list.push(await sdkUser(bed, await uidOn(bed, node, `${prefix}${i}`), { timeoutMs: 5000 }));
      users.push(...list);
      return list;
    };
    const senders = [...(await connectAll('spear-1', 'ig-send-a', 4)), ...(await connectAll('spear-2', 'ig-send-b', 4))];
    const receivers = [...(await connectAll('spear-1', 'ig-recv-a', 2)), ...(await connectAll('spear-2', 'ig-recv-b', 2))];
    const leader = bed.cluster.service('idgen');
    expect(await batchesServed(standby)).toBe(0); // it stands by
    const traffic = new Traffic(senders, receivers, 2);
    await sleep(1000);
    await leader.kill();
    const killedAt = Date.now();
    // Spear's prefetched ids carry the sends for a while; the refills after that must come from the standby.
    let served = 0;
    for (const deadline = Date.now() + 60_000; served === 0 && Date.now() < deadline; await sleep(500)) served = await batchesServed(standby);
    const takeoverSeenAt = Date.now();
    await sleep(1500);
    await traffic.stop();

    const ids = traffic.acked.map((o) => o.id!);
    const afterTakeover = traffic.acked.filter((o) => o.at > takeoverSeenAt);
    console.log(
      `idgen leader killed: standby served its first batch within ${takeoverSeenAt - killedAt} ms (polled); ` +
        `${ids.length} sends acked (${afterTakeover.length} after the takeover), ${traffic.failed.length} failed (${[...new Set(traffic.failed.map((o) => o.code))].join(', ') || 'none'})`,
    );
    expect(served).toBeGreaterThan(0);
    expect(afterTakeover.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    await until(() => traffic.missing().length === 0, 15_000, 'every acked message delivered').catch(() => undefined);
    expect(traffic.missing()).toEqual([]);
    const received = receivers.flatMap((r) => r.msgs.map((m) => m.id));
    expect(new Set(received).size).toBe(received.length);
  });
});
