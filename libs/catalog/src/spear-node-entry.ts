/**
 * The data of a `/nodes/spear/<nodeId>` znode, written by a spear node and
 * read by ticket (its ring), spear (rebalancing and purging) and minions.
 * One parser, so every reader sees the same nodes with the same weights:
 * ticket and spear must build the same ring, or spear would migrate users
 * to nodes ticket never sends them to.
 */

/** What a spear node writes, as JSON, at `zkPaths.spearNode(nodeId)` (zk-paths.ts). */
export interface SpearNodeData {
  /** Where clients connect (socket.io), e.g. `http://127.0.0.1:8101`. */
  url: string;
  /** Share of the ring; see {@link parseSpearNodeEntry} for how readers treat odd values. */
  weight: number;
  /** When the process started (epoch ms). */
  startedAt?: number;
}

/** A live spear node as readers see it. */
export interface SpearNodeEntry {
  /** The znode's name: the node id. */
  id: string;
  url: string;
  /** Finite, positive and at most {@link MAX_NODE_WEIGHT}. */
  weight: number;
  startedAt?: number;
}

/** The weight of a node whose znode states none or an unusable one. */
export const DEFAULT_NODE_WEIGHT = 1;

/**
 * The largest weight a reader accepts (libs/config allows the same range):
 * the ring places 160 points per weight unit, so a stray huge weight would
 * stall every reader building it; a larger value counts as this one.
 */
export const MAX_NODE_WEIGHT = 100;

/**
 * Parses one child of `zkPaths.spearNodes`. Undefined when the data has
 * no usable `url` (a node nobody can be sent to is not in the ring). The
 * weight is {@link DEFAULT_NODE_WEIGHT} when absent, not a number (numeric
 * strings count), not finite or not positive, and capped at {@link MAX_NODE_WEIGHT}.
 */
export function parseSpearNodeEntry(name: string, data: unknown): SpearNodeEntry | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { url, weight, startedAt } = data as Record<string, unknown>;
  if (typeof url !== 'string' || url === '') return undefined;
  const entry: SpearNodeEntry = { id: name, url, weight: nodeWeight(weight) };
  if (typeof startedAt === 'number' && Number.isFinite(startedAt)) entry.startedAt = startedAt;
  return entry;
}

/** Parses the children of `zkPaths.spearNodes` (as the registry lists them), dropping unusable ones; order kept. */
export function parseSpearNodeEntries(entries: ReadonlyArray<{ name: string; data: unknown }>): SpearNodeEntry[] {
  const nodes: SpearNodeEntry[] = [];
  for (const { name, data } of entries) {
    const node = parseSpearNodeEntry(name, data);
    if (node) nodes.push(node);
  }
  return nodes;
}

function nodeWeight(raw: unknown): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n <= 0) return DEFAULT_NODE_WEIGHT;
  return Math.min(n, MAX_NODE_WEIGHT);
}
