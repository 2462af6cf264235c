import { redisRequest } from './redis-status';

/** One node as another node sees it in `CLUSTER NODES`. */
export interface RedisClusterNodeView {
  /** The 40-character node id (kept in the node's nodes.conf across restarts). */
  readonly id: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  /** For a replica, the id of its master. */
  readonly masterId: string | null;
  /** True when the viewer suspects (`fail?`) or agreed (`fail`) that the node is down. */
  readonly failing: boolean;
  /** True for the viewer itself. */
  readonly myself: boolean;
  /** The inclusive slot ranges it serves; empty for replicas. */
  readonly slots: ReadonlyArray<readonly [number, number]>;
}

/**
 * Parses a `CLUSTER NODES` reply. Nodes still in the handshake, or without an
 * address, are left out: their ids are temporary and they serve nothing yet.
 */
export function parseClusterNodes(text: string): RedisClusterNodeView[] {
  const nodes: RedisClusterNodeView[] = [];
  for (const line of text.split('\n')) {
    // <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <epoch> <link> <slot>...
    const [id, address, flagList, master, , , , , ...slotTokens] = line.trim().split(' ');
    if (!id || !address || !flagList || !master) continue;
    const flags = flagList.split(',');
    const port = Number(address.split('@')[0]!.split(':').pop());
    if (flags.includes('handshake') || flags.includes('noaddr') || !Number.isInteger(port) || port <= 0) continue;
    nodes.push({
      id,
      port,
      role: flags.includes('master') ? 'master' : 'replica',
      masterId: master === '-' ? null : master,
      failing: flags.includes('fail') || flags.includes('fail?'),
      myself: flags.includes('myself'),
      // "[slot->-id]" and "[slot-<-id]" mark slots being migrated: not served ranges.
      slots: slotTokens
        .filter((token) => token && !token.startsWith('['))
        .map((token) => {
          const [from, to = from] = token.split('-').map(Number);
          return [from!, to!] as const;
        }),
    });
  }
  return nodes;
}

/** "key:value" lines (CLUSTER INFO, INFO) as an object; comments and blank lines skipped. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/**
 * The body of a bulk-string reply (`CLUSTER NODES`, `CLUSTER INFO`, `INFO`)
 * from Redis on 127.0.0.1:port, or null when it answers an error or nothing.
 */
export async function redisBulkRequest(port: number, command: string[], timeoutMs = 1_000): Promise<string | null> {
  const reply = await redisRequest(port, command, { timeoutMs, complete: (text) => bulkLength(text) !== undefined });
  if (reply === null) return null;
  const length = bulkLength(reply);
  if (length === undefined || length === null) return null;
  const start = reply.indexOf('\r\n') + 2;
  return Buffer.from(reply.slice(start)).subarray(0, length).toString('utf8');
}

/**
 * The body length once a whole bulk reply arrived; null for an error (or
 * nil) reply, which is complete too; undefined while more is to come.
 */
function bulkLength(text: string): number | null | undefined {
  const end = text.indexOf('\r\n');
  if (end === -1) return undefined;
  if (!text.startsWith('$')) return null;
  const length = Number(text.slice(1, end));
  if (!Number.isInteger(length) || length < 0) return null;
  return Buffer.byteLength(text) >= end + 2 + length + 2 ? length : undefined;
}

/** This node's `CLUSTER NODES`, or null when it does not answer. */
export async function clusterNodes(port: number, timeoutMs = 1_000): Promise<RedisClusterNodeView[] | null> {
  const text = await redisBulkRequest(port, ['CLUSTER', 'NODES'], timeoutMs);
  return text === null ? null : parseClusterNodes(text);
}

/** This node's `CLUSTER INFO` fields, or null when it does not answer. */
export async function clusterInfo(port: number, timeoutMs = 1_000): Promise<Record<string, string> | null> {
  const text = await redisBulkRequest(port, ['CLUSTER', 'INFO'], timeoutMs);
  return text === null ? null : parseInfo(text);
}

/** This node's `INFO replication` fields, or null when it does not answer. */
export async function replicationInfo(port: number, timeoutMs = 1_000): Promise<Record<string, string> | null> {
  const text = await redisBulkRequest(port, ['INFO', 'replication'], timeoutMs);
  return text === null ? null : parseInfo(text);
}

/** The node of `view` serving `slot`, if any. */
export function ownerOfSlot(view: readonly RedisClusterNodeView[], slot: number): RedisClusterNodeView | undefined {
  return view.find((node) => node.role === 'master' && node.slots.some(([from, to]) => slot >= from && slot <= to));
}

/** "0-5460,7000" */
export function formatSlots(slots: RedisClusterNodeView['slots']): string {
  return slots.map(([from, to]) => (from === to ? String(from) : `${from}-${to}`)).join(',');
}
