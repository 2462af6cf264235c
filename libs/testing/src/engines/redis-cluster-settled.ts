import { clusterInfo, clusterNodes, formatSlots, replicationInfo, type RedisClusterNodeView } from './redis-cluster-view';

/** The outcome of {@link checkClusterSettled}: the agreed view, or why there is none yet. */
export type ClusterSettledCheck = { settled: true; view: RedisClusterNodeView[] } | { settled: false; why: string };

/**
 * Whether the Redis Cluster formed by the nodes on `livePorts` is settled:
 * every one says `cluster_state:ok`, every one sees the same masters (with the
 * same slots) and replicas among the live nodes, no live node is counted
 * failing by any other, every slot is served by a live master, and every
 * replica's link to its master is up. Nodes not in `livePorts` (killed) may
 * be in the views, flagged failing, but serve nothing. Never throws.
 */
export async function checkClusterSettled(livePorts: readonly number[]): Promise<ClusterSettledCheck> {
  const live = new Set(livePorts);
  const views = new Map<number, RedisClusterNodeView[]>();
  for (const port of livePorts) {
    const info = await clusterInfo(port);
    if (!info) return notYet(`127.0.0.1:${port} does not answer CLUSTER INFO`);
    if (info['cluster_state'] !== 'ok') return notYet(`127.0.0.1:${port} says cluster_state:${info['cluster_state'] ?? '?'}`);
    const view = await clusterNodes(port);
    if (!view) return notYet(`127.0.0.1:${port} does not answer CLUSTER NODES`);
    views.set(port, view);
  }
  let agreed: { port: number; topology: string } | undefined;
  for (const [port, view] of views) {
    const problem = viewProblem(view, live);
    if (problem) return notYet(`127.0.0.1:${port} ${problem}`);
    const topology = describeTopology(view, live);
    agreed ??= { port, topology };
    if (topology !== agreed.topology) {
      return notYet(`127.0.0.1:${port} sees ${topology}, 127.0.0.1:${agreed.port} sees ${agreed.topology}`);
    }
  }
  const view = views.get(livePorts[0]!) ?? [];
  for (const node of view) {
    if (node.role !== 'replica' || !live.has(node.port)) continue;
    const replication = await replicationInfo(node.port);
    if (replication?.['master_link_status'] !== 'up') return notYet(`replica 127.0.0.1:${node.port}'s master link is not up`);
  }
  return { settled: true, view };
}

function notYet(why: string): ClusterSettledCheck {
  return { settled: false, why };
}

/** What in one node's view keeps the cluster from being settled, or null. */
function viewProblem(view: readonly RedisClusterNodeView[], live: ReadonlySet<number>): string | null {
  const ports = new Set(view.map((node) => node.port));
  const unknown = [...live].find((port) => !ports.has(port));
  if (unknown !== undefined) return `does not know 127.0.0.1:${unknown} yet`;
  const failing = view.find((node) => live.has(node.port) && node.failing);
  if (failing) return `counts 127.0.0.1:${failing.port} failing`;
  const deadOwner = view.find((node) => node.slots.length > 0 && !live.has(node.port));
  if (deadOwner) return `sees slots ${formatSlots(deadOwner.slots)} on 127.0.0.1:${deadOwner.port}, which is down`;
  const byId = new Map(view.map((node) => [node.id, node]));
  const orphan = view.find((node) => live.has(node.port) && node.role === 'replica' && !live.has(byId.get(node.masterId ?? '')?.port ?? -1));
  if (orphan) return `sees replica 127.0.0.1:${orphan.port} following a master that is down`;
  return null;
}

/** The live nodes' roles, masters' slots and replicas' masters, in a form two views can be compared by. */
function describeTopology(view: readonly RedisClusterNodeView[], live: ReadonlySet<number>): string {
  const portOf = new Map(view.map((node) => [node.id, node.port]));
  return view
    .filter((node) => live.has(node.port))
    .map((node) => (node.role === 'master' ? `${node.port} serves [${formatSlots(node.slots)}]` : `${node.port} replicates ${portOf.get(node.masterId ?? '') ?? '?'}`))
    .sort()
    .join('; ');
}
