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
 * each, in two halves with 5 s to settle and an RSS reading after each. Reports
 * RSS per connection overall ((after - before) / connections) and marginal
 * (the second half's growth per connection, free of one-time costs), and the
 * ratio Spear / B0 of the marginal figure.
 * Goal (issue #7): Spear's RSS per connection at most 1.0x B0's.
 *
 * Environment: BENCH_IDLE_CONNECTIONS (19000), BENCH_IDLE_HOLDERS (2).
 * Progress lines, a `RESULT ...` line, a final JSON line.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchCluster, makeTempDir, removeTempDir, rssBytes, startRedis, startZooKeeper, writeClusterProfile, type RedisHandle } from '@spear/testing';
import { fmtInt, fmtMachine, log, machineFacts, ratio } from '../rpc/measure';
import type { FromB0, ToB0 } from '../baseline/b0-server';
import type { HolderReport, ToHolder } from './idle-holder';

const CONNECTIONS = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 19_000);
const HOLDERS = Number(process.env.BENCH_IDLE_HOLDERS ?? 2);
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

function forkTs(file: string, env: Record<string, string> = {}): ChildProcess {
  const child = fork(join(__dirname, file), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('error', () => undefined);
  return child;
}

function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m: T) => resolve(m));
    child.once('exit', () => reject(new Error('child exited')));
    if (message !== undefined) child.send(message as object);
  });
}

/** Connects `users` from the holder processes and measures the server's RSS around it. */
async function measure(name: string, serverPid: number, mode: 'spear' | 'b0', url: string, users: Array<{ uid: string; token?: string }>): Promise<TargetResult> {
  await sleep(3000);
  const before = rssBytes(serverPid);
  const holders = Array.from({ length: HOLDERS }, () => forkTs('idle-holder.ts'));
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
          return ask<HolderReport>(h, { type: 'connect', mode, url, users: part, localAddress: `127.0.0.${i + 2}` } satisfies ToHolder);
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
    for (const h of holders) h.send({ type: 'stop' } satisfies ToHolder);
    await sleep(1000);
  }
}

async function main(): Promise<void> {
  const machine = machineFacts();
  log(`idle capacity bench: ${fmtMachine(machine)}; ${fmtInt(CONNECTIONS)} connections from ${HOLDERS} processes`);
  const dir = makeTempDir('spear-idle-');
  const zk = await startZooKeeper({ dir: join(dir, 'zookeeper') });
  let redis: RedisHandle | undefined;
  try {
    redis = await startRedis({ dir: join(dir, 'redis') });
    const uids = Array.from({ length: CONNECTIONS }, (_, i) => `idle-${i}`);

    // Spear: idgen, ticket and one spear node from the bundles.
    const profileDir = await writeClusterProfile({
      dir,
      engines: { zookeeper: zk.connectString, redisUrl: redis.url },
      spearNodes: 1,
      overrides: { spear: { maxConnections: CONNECTIONS + 1000 }, ticket: { rateLimit: { perUid: { limit: 1e9, windowMs: 60_000 }, perIp: { limit: 1e9, windowMs: 60_000 } } } },
    });
    const cluster = await launchCluster({ profileDir, dir, apps: ['idgen', 'ticket', 'spear'] });
    let spear: TargetResult;
    try {
      const admin = { authorization: `Bearer ${JSON.parse(readFileSync(join(profileDir, 'profile.json'), 'utf8')).secrets.adminKey}`, 'content-type': 'application/json' };
      const users: Array<{ uid: string; token: string }> = [];
      for (let i = 0; i < uids.length; i += 100) {
        users.push(
          ...(await Promise.all(
            uids.slice(i, i + 100).map(async (uid) => {
              const res = await fetch(`${cluster.ticketUrl}/v1/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ uid }) });
              return { uid, token: ((await res.json()) as { token: string }).token };
            }),
          )),
        );
      }
      log(`  ${fmtInt(users.length)} tokens issued`);
      spear = await measure('spear', cluster.service('spear-spear-1').pid, 'spear', cluster.ticketUrl, users);
    } finally {
      await cluster.stop();
    }

    // B0 on the same Redis.
    const b0 = forkTs('../baseline/b0-server.ts', { B0_REDIS_URL: redis.url });
    let baseline: TargetResult;
    try {
      const ready = await ask<FromB0>(b0, undefined);
      if (ready.type !== 'ready') throw new Error(`B0 did not start: ${ready.message}`);
      baseline = await measure('b0', b0.pid!, 'b0', `http://127.0.0.1:${ready.port}`, uids.map((uid) => ({ uid })));
    } finally {
      b0.send({ type: 'stop' } satisfies ToB0);
    }

    const r = ratio(spear.kibPerConnectionMarginal, baseline.kibPerConnectionMarginal);
    const overall = ratio(spear.kibPerConnection, baseline.kibPerConnection);
    log(
      `RESULT idle capacity: spear ${spear.kibPerConnectionMarginal} KiB per connection marginal (${spear.kibPerConnection} overall; ${fmtInt(spear.connections)} connections, RSS ${spear.rssAfterMiB} MiB) ` +
        `vs B0 ${baseline.kibPerConnectionMarginal} KiB (${baseline.kibPerConnection} overall; RSS ${baseline.rssAfterMiB} MiB) = ${r}x marginal, ${overall}x overall (goal <= ${GOAL}x: ${r <= GOAL ? 'met' : 'NOT met'})`,
    );
    log(JSON.stringify({ machine, connections: CONNECTIONS, spear, b0: baseline, ratio: r, ratioOverall: overall }));
  } finally {
    await redis?.stop();
    await zk.stop();
    removeTempDir(dir);
  }
}

main().catch((error: unknown) => {
  log(`idle capacity bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
