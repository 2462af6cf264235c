/**
 * Every ZooKeeper path of Spear, relative to the profile's root
 * (`zookeeper.root`, e.g. `/spear/local`) as the registry takes them: the
 * registry prepends the root, so two profiles on one ensemble never meet.
 */

/**
 * A name used as one path segment. A `/` would nest the znode somewhere no
 * reader looks, and an empty name would address the parent itself, so both
 * are refused where the path is built rather than found missing later.
 */
function segment(kind: string, name: string): string {
  if (name === '' || name.includes('/')) throw new RangeError(`invalid ${kind} for a znode name: ${JSON.stringify(name)}`);
  return name;
}

/** The path of every znode family; functions take the varying segment. */
export const zkPaths = {
  /** Parent of every service's `instances` and `providers` (one child per app or RPC service). */
  services: '/services',
  /** Every running process of `app`. */
  instances: (app: string): string => `/services/${segment('app', app)}/instances`,
  /** One process of `app` (ephemeral), named `<host:port>` of its HTTP listener. */
  instance: (app: string, instanceId: string): string => `${zkPaths.instances(app)}/${segment('instance id', instanceId)}`,
  /** The RPC providers of `service`. */
  providers: (service: string): string => `/services/${segment('service', service)}/providers`,
  /** One RPC provider of `service` (ephemeral), named `<host:port>` of its RPC listener. */
  provider: (service: string, hostPort: string): string => `${zkPaths.providers(service)}/${segment('provider', hostPort)}`,
  /** The live spear nodes (see spear-node-entry.ts for their data). */
  spearNodes: '/nodes/spear',
  /** One live spear node (ephemeral). */
  spearNode: (nodeId: string): string => `/nodes/spear/${segment('node id', nodeId)}`,
  /** Spear nodes stopping gracefully: a node holds its marker while it drains, a crashed node has none. */
  draining: '/nodes/draining',
  /** The draining marker of one spear node (ephemeral). */
  drainingNode: (nodeId: string): string => `/nodes/draining/${segment('node id', nodeId)}`,
  /** idgen's snowflake worker-id leases (the registry's lease: one ephemeral child per id held). */
  idgenWorkers: '/idgen/workers',
  /** idgen's strict-mode leader election (the registry's election: ephemeral sequential children). */
  idgenLeader: '/idgen/leader',
  /** A cluster-wide lock named `name` (the registry's lease of the single number 0: one holder at a time). */
  lock: (name: string): string => `/locks/${segment('lock name', name)}`,
  /** The lock a survivor takes to purge a departed node's routes. */
  purgeLock: (deadNodeId: string): string => zkPaths.lock(`purge-${segment('node id', deadNodeId)}`),
} as const;

/** One znode family as the docs and the dashboard describe it. */
export interface ZkPathInfo {
  /** The path under the root, with `<placeholders>`. */
  readonly path: string;
  readonly kind: 'ephemeral' | 'ephemeral sequential' | 'parent';
  /** Who creates it. */
  readonly writer: string;
  /** What it holds and who reads it. */
  readonly description: string;
}

/** The whole layout under a profile's root, in the order the docs list it. */
export const ZK_LAYOUT: readonly ZkPathInfo[] = [
  { path: '/services/<app>/instances/<host:port>', kind: 'ephemeral', writer: 'every service (libs/runtime boot)', description: 'a running process: HTTP address, pid, version, rpcPort; read by minions' },
  { path: '/services/<service>/providers/<host:port>', kind: 'ephemeral', writer: 'RPC providers (libs/rpc RpcServer)', description: 'an RPC provider {host, port, weight, version, methods}; read by RPC clients' },
  { path: '/nodes/spear/<nodeId>', kind: 'ephemeral', writer: 'spear', description: 'a live spear node {url, weight, startedAt}; read by ticket (ring), spear (rebalance, purge) and minions' },
  { path: '/nodes/draining/<nodeId>', kind: 'ephemeral', writer: 'spear (libs/runtime shutdown)', description: 'a spear node draining after a graceful stop; read by minions' },
  { path: '/idgen/workers/<workerId>', kind: 'ephemeral', writer: 'idgen', description: 'a leased snowflake worker id' },
  { path: '/idgen/leader/n_<seq>', kind: 'ephemeral sequential', writer: 'idgen (strict mode)', description: 'leader election: the lowest sequence serves' },
  { path: '/locks/<name>/0', kind: 'ephemeral', writer: 'spear', description: "cluster-wide locks, e.g. purge-<nodeId>: held by the one survivor purging a departed node's routes" },
];
