import { readFileSync } from 'node:fs';

/**
 * File descriptors a node keeps for itself beyond client sockets: Redis,
 * ZooKeeper, bus and RPC connections, its log, and upgrades in progress.
 */
export const RESERVED_FDS = 256;

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

/**
 * The most client connections a node accepts: the profile's maxConnections,
 * lowered to fit the open-files limit. Every connection is a file
 * descriptor; past the limit the node could not even read /proc or open a
 * Redis connection (EMFILE), so it refuses the connection instead (as
 * `draining`, like any node at its limit).
 */
export function connectionLimit(configured: number, fdLimit: number | undefined): number {
  if (fdLimit === undefined) return configured;
  return Math.max(1, Math.min(configured, fdLimit - RESERVED_FDS));
}
