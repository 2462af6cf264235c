import type { Bus, Envelope } from '@spear/bus';

interface Subscriber {
  onEnvelope(envelope: Envelope): void;
  onGap?: () => void;
  groups: Set<string>;
}

/**
 * An in-process network of {@link Bus}es for the node core's unit tests:
 * directed (to each distinct node), group and broadcast delivery, order per
 * destination, at-most-once, envelopes crossing as JSON on a later turn, as
 * over a wire. Simpler than the real buses (libs/bus's contract suite, run on
 * the engines): a join takes effect at once, and a group envelope already in
 * flight still arrives after a leave. `down` makes publishes reject;
 * `restore()` tells every node it may have missed envelopes (the buses' onGap).
 */
export class MemoryBusNetwork {
  private readonly nodes = new Map<string, Subscriber>();
  down = false;
  published = 0;

  bus(): Bus {
    let self: string | undefined;
    const nodes = this.nodes;
    return {
      start: async (nodeId, onEnvelope, onGap) => {
        self = nodeId;
        nodes.set(nodeId, { onEnvelope, onGap, groups: new Set() });
      },
      publishToNodes: async (nodeIds, envelope) => {
        if (self && !nodes.has(self)) throw new Error('bus closed');
        this.send(nodeIds, envelope);
      },
      publishToGroup: async (group, envelope) => this.send([...nodes].filter(([, n]) => n.groups.has(group)).map(([id]) => id), envelope),
      publishBroadcast: async (envelope) => this.send([...nodes.keys()], envelope),
      joinGroup: async (group) => void (self && nodes.get(self)?.groups.add(group)),
      leaveGroup: async (group) => void (self && nodes.get(self)?.groups.delete(group)),
      close: async () => void (self && nodes.delete(self)),
    };
  }

  /** The groups node `nodeId` is subscribed to. */
  groupsOf(nodeId: string): string[] {
    return [...(this.nodes.get(nodeId)?.groups ?? [])];
  }

  /** A node crashed: nothing reaches it any more. */
  cut(nodeId: string): void {
    this.nodes.delete(nodeId);
  }

  /** The bus is back after an outage: every node hears of the gap. */
  restore(): void {
    this.down = false;
    for (const node of this.nodes.values()) node.onGap?.();
  }

  private send(nodeIds: readonly string[], envelope: Envelope): void {
    if (this.down) throw new Error('bus unreachable');
    this.published++;
    const wire = JSON.stringify(envelope);
    for (const id of new Set(nodeIds)) {
      const node = this.nodes.get(id);
      // setImmediate callbacks run in order: per destination, publish order is kept.
      if (node) setImmediate(() => this.nodes.get(id) === node && node.onEnvelope(JSON.parse(wire) as Envelope));
    }
  }
}
