import type { Registry } from '@spear/registry';

export interface ServiceInstance {
  id: string;
  data: Record<string, unknown>;
}

export interface Topology {
  root: string;
  services: Record<string, ServiceInstance[]>;
  spearNodes: ServiceInstance[];
}

/** Reads every registered service instance and spear node under the profile root. */
export async function readTopology(registry: Registry): Promise<Topology> {
  const services = await registry.list('/services');
  const byService: Record<string, ServiceInstance[]> = {};
  await Promise.all(
    services.map(async ({ name }) => {
      const providers = await registry.list<Record<string, unknown>>(`/services/${name}/providers`);
      byService[name] = providers.map((p) => ({ id: p.name, data: p.data }));
    }),
  );
  const nodes = await registry.list<Record<string, unknown>>('/nodes/spear');
  return { root: registry.root, services: byService, spearNodes: nodes.map((n) => ({ id: n.name, data: n.data })) };
}
