import { readFileSync } from 'node:fs';

/**
 * File descriptors a node keeps for itself beyond client sockets: Redis,
 * ZooKeeper, bus and RPC connections, its log, and upgrades in progress.
 */
export const RESERVED_FDS = 256;

/** Of RESERVED_FDS, those that handshakes in progress (pending: no valid ticket yet) may hold. */
export const HANDSHAKE_FDS = 128;

/** The soft limit on open files in a /proc/<pid>/limits text; undefined when unlimited or absent. */
export function parseOpenFilesLimit(limits: string): number | undefined {
  const match = /^Max open files\s+(\d+)/m.exec(limits);
  return match ? Number(match[1]) : undefined;
}

/** This process's soft limit on open files (Linux); undefined when unknown or unlimited. */
export function openFilesLimit(): number | undefined {
  try {
    return parseOpenFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

/** How many connections of each kind a node takes. */
export interface ClientBudget {
  /** Connections past their ticket (spear.maxConnections). */
  connections: number;
  /** Connections without a valid ticket yet (spear.handshake.maxPending). */
  pending: number;
}

/**
 * The profile's two budgets, made to fit the open-files limit together, so a
 * flood of handshakes can never take the descriptors of ticketed users (nor
 * the node's own). When both fit (with HANDSHAKE_FDS of the reserve counted
 * for handshakes) both stay as configured; otherwise pending handshakes keep
 * a twentieth of the descriptors (at least HANDSHAKE_FDS, at most what was
 * configured) and ticketed connections get the rest. Past `connections` the
 * node refuses a ticketed handshake as `draining` (like any node at its
 * limit: go elsewhere); past `pending` it refuses new transports
 * (`rate_limited`). Without the cap an EMFILE would leave the node unable to
 * reach Redis or read /proc.
 */
export function clientBudget(configured: ClientBudget, fdLimit: number | undefined): ClientBudget {
  if (fdLimit === undefined) return configured;
  const room = fdLimit - RESERVED_FDS + HANDSHAKE_FDS;
  if (configured.connections + configured.pending <= room) return configured;
  const pending = Math.max(1, Math.min(configured.pending, Math.max(HANDSHAKE_FDS, Math.floor(fdLimit / 20))));
  return { connections: Math.max(1, Math.min(configured.connections, room - pending)), pending };
}
