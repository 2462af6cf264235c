import { sleep } from '../engines/sleep';

/**
 * Waits until ticket's `GET /v1/nodes` lists every id in `nodeIds`. A spear node's /healthz turns
 * 200 once it has registered, but ticket learns of it through its ZooKeeper watch a moment later;
 * a cluster is ready for clients only when ticket can hand out every node.
 */
export async function waitUntilTicketSeesNodes(ticketUrl: string, nodeIds: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${ticketUrl}/v1/nodes`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) seen = ((await res.json()) as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id);
      if (nodeIds.every((id) => seen.includes(id))) return;
    } catch {
      // Not answering yet: try again until the deadline.
    }
    await sleep(100);
  }
  throw new Error(`ticket at ${ticketUrl} lists [${seen.join(', ')}] after ${timeoutMs} ms, expected [${nodeIds.join(', ')}]`);
}
