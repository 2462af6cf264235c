/**
 * Scenario 3, second part (issue #7): BENCH_IDLE_NODES spear nodes (4) on this
 * one machine with BENCH_IDLE_PER_NODE idle connections each (19,000): how
 * many connect, and the memory of every node and of the whole cluster.
 * `node --import tsx bench/compare/idle-four-nodes.bench.ts` (~5 min; needs the app bundles).
 *
 * idgen, ticket and the nodes from the bundles; users get tickets (their
 * tokens are HS256 JWTs) and connect where ticket says. The uids are chosen
 * with ticket's own ring (@spear/ring, same members and weights) so that
 * exactly BENCH_IDLE_PER_NODE land on each node: a node past its open-files
 * limit refuses connections (maxConnections is lowered to fit it). The holders
 * (idle-holder.ts) are BENCH_IDLE_NODES * 2 processes of at most ~10,000
 * connections each, each on its own loopback source address.
 * Progress lines, a `RESULT ...` line, a final JSON line.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { HashRing } from '@spear/ring';
import { isAlive, launchCluster, makeTempDir, removeTempDir, rssBytes, startRedis, startZooKeeper, writeClusterProfile, type RedisHandle } from '@spear/testing';
import { fmtInt, fmtMachine, log, machineFacts } from '../rpc/measure';
import { IpcChild } from '../support/ipc-child';
import type { FromHolder, ToHolder } from '../clients/idle-holder';

const NODES = Number(process.env.BENCH_IDLE_NODES ?? 4);
const PER_NODE = Number(process.env.BENCH_IDLE_PER_NODE ?? 19_000);
const HOLDERS = NODES * 2;
const MiB = 1048576;

/** `perNode` uids for each node, picked with the ring ticket builds over the same nodes (weight 1 each). */
function usersPerNode(nodeIds: string[], perNode: number): string[] {
  const ring = new HashRing(nodeIds.map((id) => ({ id, weight: 1 })));
  const count = new Map(nodeIds.map((id) => [id, 0]));
  const uids: string[] = [];
  for (let i = 0; uids.length < nodeIds.length * perNode; i++) {
    const uid = `idle4-${i}`;
    const node = ring.get(uid)!.id;
    if (count.get(node)! >= perNode) continue;
    count.set(node, count.get(node)! + 1);
    uids.push(uid);
  }
  return uids;
}

async function main(): Promise<void> {
  const machine = machineFacts();
  const total = NODES * PER_NODE;
  log(`idle capacity, ${NODES} nodes: ${fmtMachine(machine)}; ${fmtInt(total)} connections from ${HOLDERS} processes`);
  const dir = makeTempDir('spear-idle4-');
  const zk = await startZooKeeper({ dir: join(dir, 'zookeeper') });
  let redis: RedisHandle | undefined;
  const holders: Array<IpcChild<ToHolder, FromHolder>> = [];
  try {
    redis = await startRedis({ dir: join(dir, 'redis') });
    const jwtSecret = randomBytes(24).toString('hex');
    const profileDir = await writeClusterProfile({
      dir,
      engines: { zookeeper: zk.connectString, redisUrl: redis.url },
      spearNodes: NODES,
      overrides: { secrets: { jwtSecret }, spear: { maxConnections: PER_NODE + 500 }, ticket: { rateLimit: { perUid: { limit: 1e9, windowMs: 60_000 }, perIp: { limit: 1e9, windowMs: 60_000 } } } },
    });
    // Resolves once ticket lists all four nodes.
    const cluster = await launchCluster({ profileDir, dir, apps: ['idgen', 'ticket', 'spear'] });
    try {
      const nodes = Array.from({ length: NODES }, (_, i) => cluster.service(`spear-spear-${i + 1}`));
      const rss = () => nodes.map((n) => (isAlive(n.pid) ? rssBytes(n.pid) : 0));
      const before = rss();
      const users = usersPerNode(nodes.map((n) => n.nodeId!), PER_NODE).map((uid, index) => ({ uid, index }));
      const share = Math.ceil(total / HOLDERS);
      holders.push(...(await Promise.all(Array.from({ length: HOLDERS }, () => IpcChild.start<ToHolder, FromHolder>(join(__dirname, '../clients/idle-holder.ts'), 'idle holder')))));
      const started = Date.now();
      const progress = setInterval(() => log(`  ... ${((Date.now() - started) / 1000).toFixed(0)} s, node RSS ${rss().map((b) => Math.round(b / MiB)).join(' / ')} MiB`), 15_000);
      const connector = { kind: 'spear', ticketUrl: cluster.ticketUrl, jwtSecret } as const;
      const reports = await Promise.all(holders.map((h, i) => h.request({ type: 'connect', connector, users: users.slice(i * share, (i + 1) * share), localAddress: `127.0.0.${i + 2}` }, 'connected')));
      clearInterval(progress);
      const connectSeconds = (Date.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 5000));
      const after = rss();
      const connected = reports.reduce((a, r) => a + r.connected, 0);
      const failed = reports.reduce((a, r) => a + r.failed, 0);
      const perNode = await Promise.all(nodes.map(async (n) => Number(/^spear_users(?:\{[^}]*\})? (\d+)/m.exec(await (await fetch(`${n.baseUrl}/metrics`)).text())?.[1] ?? 0)));
      const result = {
        nodes: NODES,
        connected,
        failed,
        firstError: reports.find((r) => r.firstError)?.firstError,
        connectSeconds,
        usersPerNode: perNode,
        rssBeforeMiB: before.map((b) => Math.round(b / MiB)),
        rssAfterMiB: after.map((b) => Math.round(b / MiB)),
        totalRssMiB: Math.round(after.reduce((a, b) => a + b, 0) / MiB),
        kibPerConnection: Math.round(((after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)) / 1024 / Math.max(1, connected)) * 10) / 10,
      };
      log(
        `RESULT idle capacity, ${NODES} nodes: ${fmtInt(connected)} of ${fmtInt(total)} connected (${failed} failed${result.firstError ? `, first: ${result.firstError}` : ''}) in ${connectSeconds.toFixed(0)} s; ` +
          `users per node ${perNode.map(fmtInt).join(' / ')}; node RSS ${result.rssAfterMiB.join(' / ')} MiB, total ${fmtInt(result.totalRssMiB)} MiB, ${result.kibPerConnection} KiB per connection`,
      );
      log(JSON.stringify({ machine, result }));
    } finally {
      await Promise.all(holders.map((h) => h.stop()));
      await cluster.stop();
    }
  } finally {
    await redis?.stop();
    await zk.stop();
    removeTempDir(dir);
  }
}

main().catch((error: unknown) => {
  log(`idle capacity (${NODES} nodes) failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
