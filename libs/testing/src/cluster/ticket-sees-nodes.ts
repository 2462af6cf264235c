import { pollUntil } from '../until';

/**
 * Waits until ticket's `GET /v1/nodes` lists every id in `nodeIds`. A spear node's /healthz turns
 * 200 once it has registered, but ticket learns of it through its ZooKeeper watch a moment later;
 * a cluster is ready for clients only when ticket can hand out every node.
 */
export async function waitUntilTicketSeesNodes(ticketUrl: string, nodeIds: readonly string[], timeoutMs: number): Promise<void> {
  const listed = async () => {
    const res = await fetch(`${ticketUrl}/v1/nodes`, { signal: AbortSignal.timeout(1000) });
    if (res.status !== 200) throw new Error(`GET /v1/nodes: HTTP ${res.status}`);
    return ((await res.json()) as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id);
  };
  const seen = await pollUntil(listed, (ids) => nodeIds.every((id) => ids.includes(id)), timeoutMs);
  if (!nodeIds.every((id) => seen.includes(id))) throw new Error(`ticket at ${ticketUrl} lists [${seen.join(', ')}] after ${timeoutMs} ms, expected [${nodeIds.join(', ')}]`);
}
