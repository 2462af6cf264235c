import { Gauge } from 'prom-client';
import { parseSpearNodeEntries, zkPaths } from '@spear/catalog';
import { RingCache, type HashRing } from '@spear/ring';
import type { ServiceContext } from '@spear/runtime';

/** A live spear node as ticket sees it. */
export interface SpearNode {
  id: string;
  url: string;
  weight: number;
}

/**
 * The live spear nodes, fed by a ZooKeeper watch of zkPaths.spearNodes, and the
 * weighted ketama ring over them (160 points per weight unit), rebuilt only
 * when the set or a weight changes. If ZooKeeper goes away, the last known
 * ring keeps serving.
 * Guarantee: the same uid maps to the same node while membership is unchanged.
 */
export class NodeRing {
  private nodes: SpearNode[] = [];
  private ring?: HashRing<SpearNode>;
  private readonly cache = new RingCache<SpearNode>();

  constructor(ctx: ServiceContext<'ticket'>) {
    const size = new Gauge({ name: 'spear_ticket_ring_nodes', help: 'Live spear nodes in the ring', registers: [ctx.metrics.registry] });
    const points = new Gauge({ name: 'spear_ticket_ring_points', help: 'Points on the ketama ring', registers: [ctx.metrics.registry] });
    ctx.registry.watchChildren(zkPaths.spearNodes, (entries) => {
      // The catalog's parser: spear reads the same entries the same way, so both build the same ring.
      // Picked fields: GET /v1/nodes answers these three, whatever else a node writes.
      this.nodes = parseSpearNodeEntries(entries).map(({ id, url, weight }) => ({ id, url, weight }));
      this.ring = this.nodes.length ? this.cache.get(this.nodes) : undefined;
      size.set(this.nodes.length);
      points.set(this.ring?.size ?? 0);
      ctx.logger.info({ nodes: this.nodes.map((n) => `${n.id}(${n.weight})`) }, 'spear node set changed');
    });
  }

  list(): SpearNode[] {
    return this.nodes;
  }

  /**
   * The node a uid belongs on, or undefined when no node is live. With
   * `avoid` (nodes the client could not reach), where it would go if those
   * had left; when every live node is avoided, its own node after all.
   */
  pick(uid: string, avoid?: readonly string[]): SpearNode | undefined {
    if (!avoid || avoid.length === 0) return this.ring?.get(uid);
    return this.ring?.getAvoiding(uid, new Set(avoid));
  }
}
