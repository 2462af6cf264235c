import type { Bus, Envelope } from '@spear/bus';

interface Subscriber {
  onEnvelope(envelope: Envelope): void;
  onGap?: () => void;
  groups: Set<string>;
}

/**
 * An in-process network of {@link Bus}es for the node core's unit tests, with
 * the contract of the real ones (libs/bus's contract suite): directed, group
 * and broadcast delivery, order per destination, at-most-once. Envelopes
 * cross as JSON on a later turn, as over a wire. `down` makes publishes
 * reject (and drops nothing silently); `restore()` tells every node it may
 * have missed envelopes (the buses' onGap).
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
      publishToNodes: async (nodeIds, envelope) => this.send(nodeIds, envelope),
      publishToGroup: async (group, envelope) => this.send([...nodes].filter(([, n]) => n.groups.has(group)).map(([id]) => id), envelope),
      publishBroadcast: async (envelope) => this.send([...nodes.keys()], envelope),
      joinGroup: async (group) => void (self && nodes.get(self)?.groups.add(group)),
      leaveGroup: async (group) => void (self && nodes.get(self)?.groups.delete(group)),
      close: async () => void (self && nodes.delete(self)),
    };
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
    for (const id of nodeIds) {
      const node = this.nodes.get(id);
      // setImmediate callbacks run in order: per destination, publish order is kept.
      if (node) setImmediate(() => this.nodes.get(id) === node && node.onEnvelope(JSON.parse(wire) as Envelope));
    }
  }
}
