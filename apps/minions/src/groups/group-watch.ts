import type { Bus, Envelope } from '@spear/bus';
import type { GroupEvent } from '@spear/protocol';
import { apiError } from '@spear/runtime';

/** Bounds on what the dashboard may watch at once (each watched group is one bus subscription). */
export interface GroupWatchLimits {
  /** Open watches (browser tabs) at once, over all groups. */
  maxWatches: number;
}

type Listener = (message: GroupEvent) => void;

/**
 * Watches groups' messages as a passive bus member: this process starts the
 * bus as a node of its own (`nodeId`), joins the groups being watched and
 * hands each group envelope to that group's watchers. It never joins as a
 * user, so it is in no room, in no presence count and sends nothing.
 *
 * Guarantee: what the bus gives, at-most-once: a message published while
 * the bus is reconnecting is not seen live (the watch page reads the group
 * history when it opens). The bus starts on the first watch; a group is
 * joined while it has a watcher and left with its last.
 */
export class GroupWatch {
  private readonly watchers = new Map<string, Set<Listener>>();
  private watches = 0;
  /** The started (or starting) bus; null before the first watch and after a failed start. */
  private bus: Promise<Bus> | null = null;

  constructor(
    private readonly makeBus: () => Bus,
    private readonly nodeId: string,
    private readonly limits: GroupWatchLimits,
  ) {}

  /** Calls `listener` for each message published to `group` from now on; resolves to the unwatch function once the group is joined. */
  async watch(group: string, listener: Listener): Promise<() => void> {
    if (this.watches >= this.limits.maxWatches) throw apiError('rate_limited', `${this.limits.maxWatches} group watches are open already; close one`);
    this.watches++;
    try {
      const bus = await this.started();
      let listeners = this.watchers.get(group);
      if (!listeners) this.watchers.set(group, (listeners = new Set()));
      listeners.add(listener);
      await bus.joinGroup(group);
    } catch (error) {
      this.remove(group, listener);
      throw apiError('internal', `the bus did not let the dashboard watch ${group}: ${error instanceof Error ? error.message : String(error)}`);
    }
    let open = true;
    return () => {
      if (open) this.remove(group, listener);
      open = false;
    };
  }

  async close(): Promise<void> {
    this.watchers.clear();
    const bus = await this.bus?.catch(() => null);
    this.bus = null;
    await bus?.close();
  }

  private remove(group: string, listener: Listener): void {
    this.watches--;
    const listeners = this.watchers.get(group);
    if (!listeners?.delete(listener) || listeners.size > 0) return;
    this.watchers.delete(group);
    // The last watcher left: stop receiving the group (a failure only costs envelopes dropped below).
    void this.bus?.then((bus) => bus.leaveGroup(group)).catch(() => undefined);
  }

  /** The bus, started once; after a failed start (a bus that failed to start is closed) the next watch makes a new one. */
  private started(): Promise<Bus> {
    if (this.bus) return this.bus;
    const bus = this.makeBus();
    this.bus = bus.start(this.nodeId, (envelope) => this.deliver(envelope)).then(
      () => bus,
      async (error: unknown) => {
        this.bus = null;
        await bus.close().catch(() => undefined);
        throw error;
      },
    );
    return this.bus;
  }

  private deliver(envelope: Envelope): void {
    if (envelope.t !== 'group') return;
    for (const listener of this.watchers.get(envelope.p.group) ?? []) listener(envelope.p);
  }
}
