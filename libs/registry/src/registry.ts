/** Connection state of a registry client, as health checks and dashboards see it. */
export type RegistryState = 'connecting' | 'connected' | 'disconnected' | 'expired' | 'closed';

import type { Election } from './election';
import type { Lease } from './lease';

/** A child of a watched or listed path, with its JSON data. */
export interface RegistryEntry<T = unknown> {
  name: string;
  data: T;
}

/**
 * Service discovery over ZooKeeper, scoped to one deployment root.
 *
 * Guarantee: an ephemeral registration made through `register` exists for as
 * long as this process holds a live session, and is created again after a
 * session expiry (never duplicated after a connection loss). It disappears
 * within the session timeout once the process dies.
 */
export interface Registry {
  readonly root: string;
  readonly state: RegistryState;
  /** Creates (or takes over, when it is our own leftover) an ephemeral znode at root + path. */
  register(path: string, data: unknown): Promise<void>;
  /** Removes a registration made by this process and stops re-creating it. */
  unregister(path: string): Promise<void>;
  /** Removes every registration of this process; the first step of a graceful shutdown. */
  unregisterAll(): Promise<void>;
  /** Lists the children of root + path with their JSON data; an absent path lists as empty. */
  list<T = unknown>(path: string): Promise<RegistryEntry<T>[]>;
  /**
   * Calls `listener` with the current children of root + path (with data) now
   * and after every change, including after reconnects and session expiry.
   * Returns a function that stops the watch.
   */
  watchChildren<T = unknown>(path: string, listener: (entries: RegistryEntry<T>[]) => void): () => void;
  /** Takes the lowest free number in a range under root + path, held while the session lives (see Lease). */
  lease(path: string, range: { min: number; max: number }, data?: unknown): Promise<Lease>;
  /** Joins a leader election under root + path (see Election). */
  elect(path: string, data?: unknown): Promise<Election>;
  /** Connection state changes, e.g. to stop serving while disconnected. */
  on(event: 'state', listener: (state: RegistryState) => void): unknown;
  /** Resolves once connected, or rejects after the connect timeout with a message naming the address. */
  ready(): Promise<void>;
  close(): Promise<void>;
}
