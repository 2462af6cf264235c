import { parseSpearNodeEntry, zkPaths, type SpearNodeEntry } from '@spear/catalog';
import type { Registry } from '@spear/registry';
import { fetchWithin } from './service-locator';

export interface ServiceInstance {
  id: string;
  data: Record<string, unknown>;
  /** From the instance's /healthz: 'ok', the failing checks, or 'unreachable'. Service instances only. */
  health?: string;
}

export interface Topology {
  root: string;
  /** Every service process, by app (zkPaths.instances). */
  services: Record<string, ServiceInstance[]>;
  /** RPC providers, by service (zkPaths.providers). */
  providers: Record<string, ServiceInstance[]>;
  /** Live spear nodes: the znode's data as written, and the node as ticket's ring sees it (null: not in the ring, no url). */
  spearNodes: Array<ServiceInstance & { ring: SpearNodeEntry | null }>;
}

const HEALTH_TIMEOUT_MS = 800;

/** Reads every registered process (with its health), RPC provider and spear node under the profile root. */
export async function readTopology(registry: Registry): Promise<Topology> {
  const services = await registry.list(zkPaths.services);
  const instances: Record<string, ServiceInstance[]> = {};
  const providers: Record<string, ServiceInstance[]> = {};
  const asInstances = (list: Array<{ name: string; data: Record<string, unknown> }>) => list.map((e) => ({ id: e.name, data: e.data ?? {} }));
  await Promise.all(
    services.map(async ({ name }) => {
      const [procs, provs] = await Promise.all([
        registry.list<Record<string, unknown>>(zkPaths.instances(name)),
        registry.list<Record<string, unknown>>(zkPaths.providers(name)),
      ]);
      if (procs.length) instances[name] = await Promise.all(asInstances(procs).map(async (i) => ({ ...i, health: await healthOf(i.data) })));
      if (provs.length) providers[name] = asInstances(provs);
    }),
  );
  const nodes = await registry.list<Record<string, unknown>>(zkPaths.spearNodes);
  const spearNodes = asInstances(nodes).map((n) => ({ ...n, ring: parseSpearNodeEntry(n.id, n.data) ?? null }));
  return { root: registry.root, services: instances, providers, spearNodes };
}

async function healthOf(data: Record<string, unknown>): Promise<string> {
  if (typeof data.host !== 'string' || typeof data.port !== 'number') return 'unknown';
  try {
    const res = await fetchWithin(`http://${data.host}:${data.port}/healthz`, HEALTH_TIMEOUT_MS);
    if (res.ok) {
      await res.body?.cancel(); // free the connection now, not at garbage collection
      return 'ok';
    }
    const body = (await res.json().catch(() => ({}))) as { failing?: string[] };
    return `failing: ${(body.failing ?? [`HTTP ${res.status}`]).join(', ')}`;
  } catch {
    return 'unreachable';
  }
}
