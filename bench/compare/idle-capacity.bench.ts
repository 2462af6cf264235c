/**
 * Scenario 3 of issue #7, idle capacity: N idle connections on one node,
 * Spear against baseline B0 (plain socket.io + redis adapter,
 * bench/baseline/b0-server.ts), in the same run, on the same Redis.
 * `node --import tsx bench/compare/idle-capacity.bench.ts` (~2 min; needs the
 * app bundles: `NX_DAEMON=false npx nx run-many -t build --projects=tag:type:app`).
 *
 * For each target: the server alone, 3 s idle, RSS read from /proc; then
 * BENCH_IDLE_CONNECTIONS clients connect from BENCH_IDLE_HOLDERS child
 * processes (idle-holder.ts), each from its own loopback source address
 * (127.0.0.2, .3, ...: one ephemeral port range each), Spear's through a ticket
 * each (tokens are HS256 JWTs), in two halves with 5 s to settle and an RSS reading after each. Reports
 * RSS per connection overall ((after - before) / connections) and marginal
 * (the second half's growth per connection, free of one-time costs), and the
 * ratio Spear / B0 of the marginal figure.
 * Goal (issue #7): Spear's RSS per connection at most 1.0x B0's.
 *
 * Environment: BENCH_IDLE_CONNECTIONS (19000), BENCH_IDLE_HOLDERS (2),
 * BENCH_IDLE_ENGINES (`single-redis`, or `cluster`: the cluster profile's
 * ZooKeeper ensemble and Redis Cluster, issue #20; bench/scale/engines.ts).
 * Progress lines, a `RESULT ...` line, a final JSON line.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { launchCluster, makeTempDir, removeTempDir, rssBytes, writeClusterProfile } from '@spear/testing';
import { fmtInt, fmtMachine, log, machineFacts, ratio } from '../rpc/measure';
import { IpcChild } from '../support/ipc-child';
import type { Connector } from '../clients/connect-user';
import type { FromHolder, ToHolder } from '../clients/idle-holder';
import { parseEngineKind, startScaleEngines, type ScaleEngines } from '../scale/engines';
import { startB0 } from './systems';

const CONNECTIONS = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 19_000);
const HOLDERS = Number(process.env.BENCH_IDLE_HOLDERS ?? 2);
const ENGINES = parseEngineKind(process.env.BENCH_IDLE_ENGINES || undefined);
const GOAL = 1.0;

interface TargetResult {
  connections: number;
  failed: number;
  rssBeforeMiB: number;
  rssHalfMiB: number;
  rssAfterMiB: number;
  /** (after - before) / connections: includes one-time costs paid on the first connections. */
  kibPerConnection: number;
  /** (after - half) / second half's connections: the marginal cost, what scales. */
  kibPerConnectionMarginal: number;
  connectSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const startHolder = () => IpcChild.start<ToHolder, FromHolder>(join(__dirname, '../clients/idle-holder.ts'), 'idle holder');

/** Connects `users` from the holder processes and measures the server's RSS around it. */
async function measure(name: string, serverPid: number, connector: Connector, uids: string[]): Promise<TargetResult> {
  await sleep(3000);
  const before = rssBytes(serverPid);
  const users = uids.map((uid, index) => ({ uid, index }));
  const holders = await Promise.all(Array.from({ length: HOLDERS }, startHolder));
  try {
    const share = Math.ceil(users.length / HOLDERS);
    const started = Date.now();
    // Two halves: the second half's RSS growth is the marginal cost per connection, free of one-time
    // costs such as a source map parsed at the first formatted stack trace (~60 MiB for a spear bundle).
    const connectHalf = async (half: 0 | 1) => {
      const reports = await Promise.all(
        holders.map((h, i) => {
          const mine = users.slice(i * share, (i + 1) * share);
          const part = half === 0 ? mine.slice(0, Math.floor(mine.length / 2)) : mine.slice(Math.floor(mine.length / 2));
          return h.request({ type: 'connect', connector, users: part, localAddress: `127.0.0.${i + 2}` }, 'connected');
        }),
      );
      for (const r of reports) if (r.failed > 0) log(`  ${name}: ${r.failed} connections failed, first: ${r.firstError}`);
      return { connected: reports.reduce((a, r) => a + r.connected, 0), failed: reports.reduce((a, r) => a + r.failed, 0) };
    };
    const first = await connectHalf(0);
    await sleep(5000);
    const half = rssBytes(serverPid);
    const second = await connectHalf(1);
    const connectSeconds = (Date.now() - started) / 1000 - 5;
    await sleep(5000);
    const after = rssBytes(serverPid);
    const connected = first.connected + second.connected;
    const result = {
      connections: connected,
      failed: first.failed + second.failed,
      rssBeforeMiB: Math.round(before / 1048576),
      rssHalfMiB: Math.round(half / 1048576),
      rssAfterMiB: Math.round(after / 1048576),
      kibPerConnection: Math.round(((after - before) / 1024 / Math.max(1, connected)) * 10) / 10,
      kibPerConnectionMarginal: Math.round(((after - half) / 1024 / Math.max(1, second.connected)) * 10) / 10,
      connectSeconds,
    };
    log(
      `  ${name}: ${fmtInt(connected)} connected in ${connectSeconds.toFixed(1)} s; RSS ${result.rssBeforeMiB} -> ${result.rssHalfMiB} -> ${result.rssAfterMiB} MiB = ` +
        `${result.kibPerConnection} KiB per connection overall, ${result.kibPerConnectionMarginal} KiB marginal (second half)`,
    );
    return result;
  } finally {
    await Promise.all(holders.map((h) => h.stop()));
  }
}

async function main(): Promise<void> {
  const machine = machineFacts();
  log(`idle capacity bench: ${fmtMachine(machine)}; ${fmtInt(CONNECTIONS)} connections from ${HOLDERS} processes; engines ${ENGINES}`);
  const dir = makeTempDir('spear-idle-');
  let started: ScaleEngines | undefined;
  try {
    started = await startScaleEngines(ENGINES, dir);
    const { engines } = started;
    const uids = Array.from({ length: CONNECTIONS }, (_, i) => `idle-${i}`);

    // Spear: idgen, ticket and one spear node from the bundles; tokens are HS256 JWTs (connect-user.ts).
    const jwtSecret = randomBytes(24).toString('hex');
    const profileDir = await writeClusterProfile({
      dir,
      engines,
      spearNodes: 1,
      overrides: { secrets: { jwtSecret }, spear: { maxConnections: CONNECTIONS + 1000 }, ticket: { rateLimit: { perUid: { limit: 1e9, windowMs: 60_000 }, perIp: { limit: 1e9, windowMs: 60_000 } } } },
    });
    const cluster = await launchCluster({ profileDir, dir, apps: ['idgen', 'ticket', 'spear'] });
    let spear: TargetResult;
    try {
      spear = await measure('spear', cluster.service('spear-spear-1').pid, { kind: 'spear', ticketUrl: cluster.ticketUrl, jwtSecret }, uids);
    } finally {
      await cluster.stop();
    }

    // B0 (one process) on the same Redis.
    const b0 = await startB0(engines, 1);
    let baseline: TargetResult;
    try {
      baseline = await measure('b0', b0.pids['b0-1']!, b0.connector, uids);
    } finally {
      await b0.stop();
    }

    const r = ratio(spear.kibPerConnectionMarginal, baseline.kibPerConnectionMarginal);
    const overall = ratio(spear.kibPerConnection, baseline.kibPerConnection);
    log(
      `RESULT idle capacity: spear ${spear.kibPerConnectionMarginal} KiB per connection marginal (${spear.kibPerConnection} overall; ${fmtInt(spear.connections)} connections, RSS ${spear.rssAfterMiB} MiB) ` +
        `vs B0 ${baseline.kibPerConnectionMarginal} KiB (${baseline.kibPerConnection} overall; RSS ${baseline.rssAfterMiB} MiB) = ${r}x marginal, ${overall}x overall (goal <= ${GOAL}x: ${r <= GOAL ? 'met' : 'NOT met'})`,
    );
    log(JSON.stringify({ machine, engines: ENGINES, connections: CONNECTIONS, spear, b0: baseline, ratio: r, ratioOverall: overall }));
  } finally {
    await started?.stop();
    removeTempDir(dir);
  }
}

main().catch((error: unknown) => {
  log(`idle capacity bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
