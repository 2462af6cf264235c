import { zkPaths } from '@spear/catalog';
import type { Registry } from '@spear/registry';

/** One thing that happened to the cluster, as the dashboard's event log shows it. */
export interface ClusterEvent {
  at: number;
  kind: 'joined' | 'left' | 'draining';
  /** e.g. "spear node spear-2" or "ticket 127.0.0.1:8090". */
  what: string;
}

const KEEP = 200;
const APPS = ['ticket', 'spear', 'idgen', 'stat', 'minions'] as const;

/**
 * Watches ZooKeeper for spear nodes and service instances coming and going,
 * keeps the last KEEP events, and tells subscribers (the SSE stream) at once.
 * The first listing of each path is the baseline, not an event.
 */
export class EventLog {
  private readonly events: ClusterEvent[] = [];
  private readonly listeners = new Set<(event: ClusterEvent) => void>();
  private readonly stops: Array<() => void> = [];

  constructor(registry: Registry) {
    this.watch(registry, zkPaths.spearNodes, (name) => `spear node ${name}`);
    // A spear node stopping gracefully holds its zkPaths.drainingNode marker while it drains; a crash does not.
    this.watch(registry, zkPaths.draining, (name) => `spear node ${name}`, { joined: 'draining' });
    for (const app of APPS) this.watch(registry, zkPaths.instances(app), (name) => `${app} ${name}`);
  }

  recent(): ClusterEvent[] {
    return [...this.events];
  }

  subscribe(listener: (event: ClusterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const stop of this.stops) stop();
    this.listeners.clear();
  }

  private watch(registry: Registry, path: string, describe: (name: string) => string, only?: { joined: ClusterEvent['kind'] }): void {
    let known: Set<string> | undefined;
    this.stops.push(
      registry.watchChildren(path, (entries) => {
        const now = new Set(entries.map((e) => e.name));
        if (known) {
          for (const name of now) if (!known.has(name)) this.add({ at: Date.now(), kind: only?.joined ?? 'joined', what: describe(name) });
          if (!only) for (const name of known) if (!now.has(name)) this.add({ at: Date.now(), kind: 'left', what: describe(name) });
        }
        known = now;
      }),
    );
  }

  private add(event: ClusterEvent): void {
    this.events.push(event);
    if (this.events.length > KEEP) this.events.shift();
    for (const listener of this.listeners) listener(event);
  }
}
