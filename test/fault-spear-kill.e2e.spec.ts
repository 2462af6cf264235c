import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, pollUntil, procCpuUs, sleep } from '@spear/testing';
import { E2E_BUSES, printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { Fleet, type FleetKind } from './support/fleet';
import { tcpCounters } from './support/kernel-counters';

/**
 * Two fleets per bus:
 * - the issue's 10,000 users, simulated by test/support/fleet-go (the same
 *   protocol behaviour as the SDK at a fraction of its CPU: on a 2-CPU machine
 *   10,000 SDK clients spent two thirds of the CPU while reconnecting, so the
 *   test measured them more than the servers; docs/RELIABILITY.md);
 * - 2,000 real SDK clients (libs/client), so the SDK's own failover is proven
 *   under the same crash.
 * `SPEAR_FAULT_CLIENTS` and `SPEAR_FAULT_SDK_CLIENTS` change the sizes.
 */
const FLEETS: Array<{ kind: FleetKind; clients: number; workers: number }> = [
  // Each process holds at most 10,000 / 2 connections: the machine allows 20,000 file descriptors per process.
  { kind: 'go', clients: Number(process.env.SPEAR_FAULT_CLIENTS ?? 10_000), workers: 2 },
  { kind: 'sdk', clients: Number(process.env.SPEAR_FAULT_SDK_CLIENTS ?? 2000), workers: 4 },
];
const SESSION_TIMEOUT_MS = 3000;

const cases = E2E_BUSES.flatMap((bus) => FLEETS.map((fleet) => ({ bus, ...fleet })));

describe.each(cases)('faults: one of two spear nodes SIGKILLed with $clients clients ($kind) connected and traffic flowing ($bus bus)', ({ bus, kind, clients: CLIENTS, workers: WORKERS }) => {
  /** Issuing tokens and connecting take longer the more clients there are (~4 ms each when the machine is busy). */
  const TEST_TIMEOUT_MS = 60_000 + CLIENTS * 10;
  let bed: TestBed;
  let fleet: Fleet | undefined;

  beforeAll(async () => {
    bed = await startTestBed({
      bus,
      apps: ['idgen', 'ticket', 'spear'],
      overrides: {
        zookeeper: { sessionTimeoutMs: SESSION_TIMEOUT_MS },
        ticket: { rateLimit: { perUid: { limit: 1000, windowMs: 60_000 }, perIp: { limit: 1_000_000, windowMs: 60_000 } } },
      },
    });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    fleet?.stop();
    await bed?.close();
  });

  it('moves the dead node\'s clients to the live one (99% within 10 s, all within the session timeout + 10 s), stops ticketing the dead node, loses no acked message', async () => {
    const ticketUrl = bed.cluster.ticketUrl;
    const uids = Array.from({ length: CLIENTS }, (_, i) => `fleet-${bus}-${kind}-${i}`);
    const users: Array<{ uid: string; token: string }> = [];
    for (let i = 0; i < uids.length; i += 50) users.push(...(await Promise.all(uids.slice(i, i + 50).map(async (uid) => ({ uid, token: await issueToken(ticketUrl, uid) })))));
    fleet = Fleet.start(WORKERS, kind);
    const processes = () => ({
      ...Object.fromEntries(bed.cluster.services.map((s) => [s.name, s.pid])),
      redis: bed.redis.pid,
      zookeeper: bed.zk.pid,
      ...(bed.kafka ? { kafka: bed.kafka.pid } : {}),
      clients: fleet!.pids,
    });
    const cpu = () => Object.fromEntries(Object.entries(processes()).map(([k, v]) => [k, Math.round((Array.isArray(v) ? v.reduce((a, p) => a + (procCpuUs(p) || 0) / 1e6, 0) : (procCpuUs(v) || 0) / 1e6) * 10) / 10]));
    const cpuDelta = (a: Record<string, number>, b: Record<string, number>) => JSON.stringify(Object.fromEntries(Object.keys(b).map((k) => [k, Math.round(((b[k] ?? 0) - (a[k] ?? 0)) * 10) / 10])));
    const cpuAtStart = cpu();
    const connectStarted = Date.now();
    await fleet.connect(ticketUrl, users);
    console.log(`${bus}/${kind}: CPU seconds while connecting: ${cpuDelta(cpuAtStart, cpu())}`);
    const before = await fleet.status('spear-2');
    console.log(`${bus}/${kind}: ${before.connected} clients connected in ${Date.now() - connectStarted} ms: ${JSON.stringify(before.byNode)}`);
    expect(before.connected).toBe(CLIENTS);
    const onDead = before.movedAt.length;
    expect(onDead).toBeGreaterThan(CLIENTS * 0.3);

    // Traffic: 100 senders in all, each sending to a random user every 200 ms (~500 msgs/s).
    await fleet.startTraffic(Math.ceil(100 / WORKERS), 200, uids);
    await sleep(2000);
    const cpuAtKill = cpu();
    const tcpAtKill = tcpCounters();
    await bed.cluster.service('spear-spear-2').kill();
    const killedAt = Date.now();

    const nodesOf = async () => ((await (await fetch(`${ticketUrl}/v1/nodes`)).json()) as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id);
    const ticketFlips = pollUntil(nodesOf, (ids) => ids.length === 1, SESSION_TIMEOUT_MS + 5000).then((ids) => ({ ids, at: Date.now() }));
    // Poll until every watched client is connected elsewhere; the times come from the workers' own
    // clocks (when each client's new connection was ready), not from when a busy worker answered.
    let last = before;
    for (const deadline = killedAt + SESSION_TIMEOUT_MS + 15_000; Date.now() < deadline; await sleep(250)) {
      last = await fleet.status('spear-2');
      if (last.movedAt.every((t) => t > 0)) break;
    }
    const moved = last.movedAt.filter((t) => t > 0).sort((a, b) => a - b);
    const atShare = (share: number) => (moved.length >= Math.ceil(onDead * share) ? moved[Math.ceil(onDead * share) - 1]! : 0);
    const at99 = atShare(0.99);
    const atAll = moved.length === onDead ? moved.at(-1)! : 0;
    const flip = await ticketFlips;
    const tcpAfter = tcpCounters();
    console.log(`${bus}/${kind}: CPU seconds from the kill until all moved: ${cpuDelta(cpuAtKill, cpu())}; SYNs dropped at a full accept queue ${tcpAfter.listenOverflows - tcpAtKill.listenOverflows}, SYNs retransmitted ${tcpAfter.synRetrans - tcpAtKill.synRetrans}`);
    const sends = await fleet.stopTraffic();
    const acked = sends.filter((s) => s.id);
    // Every acked message reaches its user: live, or from the inbox when the user reconnects.
    let missing = acked;
    for (const deadline = Date.now() + 30_000; missing.length > 0 && Date.now() < deadline; await sleep(500)) {
      const received = await fleet.received();
      missing = acked.filter((s) => !received.get(s.to)?.has(s.id!));
    }
    const failedCodes = [...new Set(sends.filter((s) => s.code).map((s) => s.code))];
    console.log(
      `${bus}/${kind}: ${onDead} clients were on the killed node; 50% / 90% connected elsewhere after ${atShare(0.5) - killedAt} / ${atShare(0.9) - killedAt} ms, 99% after ${at99 ? at99 - killedAt : 'never'} ms, all after ${atAll ? atAll - killedAt : 'never'} ms; ` +
        `${last.attempts - before.attempts} reconnect attempts (failed before: ${JSON.stringify(last.failures)}); ` +
        `ticket stopped naming it after ${flip.at - killedAt} ms; ${acked.length} sends acked, ${sends.length - acked.length} failed (${failedCodes.join(', ') || 'none'}), ${missing.length} acked messages missing`,
    );
    expect(flip.ids).toEqual(['spear-1']);
    expect(flip.at - killedAt).toBeLessThan(SESSION_TIMEOUT_MS + 2000);
    expect(at99 - killedAt).toBeGreaterThan(0);
    expect(at99 - killedAt).toBeLessThan(10_000);
    expect(atAll - killedAt).toBeGreaterThan(0);
    expect(atAll - killedAt).toBeLessThan(SESSION_TIMEOUT_MS + 10_000);
    expect(last.byNode).toEqual({ 'spear-1': CLIENTS });
    expect(missing).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
