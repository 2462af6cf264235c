import type { SpearConfig, SpearNodeConfig } from '@spear/config';

/**
 * The node this process serves: SPEAR_NODE_ID names it; a profile with a
 * single node needs no name. Fails with a message naming the choices.
 */
export function selectNode(spear: Pick<SpearConfig, 'nodes'>, env: NodeJS.ProcessEnv = process.env): SpearNodeConfig {
  const wanted = env.SPEAR_NODE_ID;
  const ids = spear.nodes.map((n) => n.id).join(', ');
  if (!wanted) {
    if (spear.nodes.length === 1) return spear.nodes[0]!;
    throw new Error(`SPEAR_NODE_ID must name one of this profile's spear nodes: ${ids}`);
  }
  const node = spear.nodes.find((n) => n.id === wanted);
  if (!node) throw new Error(`SPEAR_NODE_ID=${wanted} is not a spear node of this profile (nodes: ${ids})`);
  return node;
}

/** The URL clients connect to. */
export function publicUrl(node: SpearNodeConfig, port: number): string {
  return node.publicUrl ?? `http://${node.host}:${port}`;
}
