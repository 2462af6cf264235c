import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '@spear/testing';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { connectUser, connectWithTicket, ticketFor, until, type TestUser } from './support/spear-client';

const REPO = resolve(__dirname, '..');

/** The sample names of a Prometheus text scrape (a histogram shows as its _bucket, _sum and _count). */
function sampleNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line)?.[1];
    if (name) names.add(name);
  }
  return names;
}

/**
 * deploy/monitoring's alert rules and Grafana dashboard name only metrics the
 * services really export: the names come from the checker's own extractor
 * (tools/monitoring/main.ts names) and are looked up in every service's
 * /metrics after a little traffic, since labelled series appear only once
 * something was counted.
 */
describe('monitoring: every metric the alerts and the dashboard read is exported by a running cluster', () => {
  let bed: TestBed;
  const users: TestUser[] = [];

  async function userOn(nodeId: string, prefix: string): Promise<TestUser> {
    for (let i = 0; i < 200; i++) {
      if ((await ticketFor(bed.cluster.ticketUrl, `${prefix}-${i}`)).node.id === nodeId) {
        const user = await connectUser(bed.cluster.ticketUrl, `${prefix}-${i}`);
        users.push(user);
        return user;
      }
    }
    throw new Error(`no uid for ${nodeId}`);
  }

  beforeAll(async () => {
    bed = await startTestBed({
      overrides: {
        // A connect hook whose backend never registers: its calls fail and are allowed, and spear_hook_calls_total counts them.
        spear: { hooks: { connect: { backend: { service: 'monitoring-absent', method: 'hook.connect' }, timeoutMs: 300, onFailure: 'allow' } } },
      },
    });
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const u of users) u.close();
    await bed?.close();
  });

  it('names them, scrapes them after traffic of every kind the dashboard shows, and finds each one', async () => {
    const used = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', 'tools/monitoring/main.ts', 'names'], { cwd: REPO, encoding: 'utf8' })) as Record<string, string[]>;
    // An extractor that found nothing would pass the check below vacuously.
    expect(Object.keys(used)).toEqual(expect.arrayContaining(['spear_connections', 'spear_bus_lag_seconds_bucket', 'spear_redis_memory_used_bytes', 'spear_health_check_ok', 'spear_rpc_client_calls_total']));
    expect(Object.keys(used).length).toBeGreaterThanOrEqual(25);

    // 1:1 messages both ways across the two nodes: stores, emits, the bus (and its lag), idgen over RPC, tickets.
    const [a, b] = [await userOn('spear-1', 'mon-a'), await userOn('spear-2', 'mon-b')];
    for (let i = 0; i < 5; i++) {
      expect(await a.emit('send', { to: b.uid, body: i })).toMatchObject({ ok: true });
      expect(await b.emit('send', { to: a.uid, body: i })).toMatchObject({ ok: true });
    }
    await until(() => a.msgs.length >= 5 && b.msgs.length >= 5, 10_000, 'the messages to arrive');
    // A refused event, a client rpc with no route, and a handshake with a forged ticket.
    expect(await a.emit('send', { body: 'no recipient' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await a.emit('rpc', { method: 'nowhere.to.go' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    await expect(connectWithTicket(bed.cluster.service('spear-spear-1').baseUrl, 'forged')).rejects.toThrow();

    const scrape = async () => {
      const texts = await Promise.all(
        bed.cluster.services.map(async (s) => {
          const res = await fetch(`${s.baseUrl}/metrics`);
          expect(res.status, `${s.name} /metrics`).toBe(200);
          return res.text();
        }),
      );
      return sampleNames(texts.join('\n'));
    };
    const missingFrom = (exported: Set<string>) => Object.entries(used).filter(([name]) => !exported.has(name)).map(([name, where]) => `${name} (read by ${where.join('; ')})`);
    // Counters move with the acks; a scrape or two later every series must be there.
    const exported = await pollUntil(scrape, (names) => missingFrom(names).length === 0, 10_000);
    expect(missingFrom(exported)).toEqual([]);
  });
});
