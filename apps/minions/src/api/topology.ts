import type { Registry } from '@spear/registry';

export interface ServiceInstance {
  id: string;
  data: Record<string, unknown>;
}

export interface Topology {
  root: string;
  /** Every service process, by app: /services/<app>/instances. */
  services: Record<string, ServiceInstance[]>;
  /** RPC providers, by service: /services/<service>/providers. */
  providers: Record<string, ServiceInstance[]>;
  spearNodes: ServiceInstance[];
}

/** Reads every registered process, RPC provider and spear node under the profile root. */
export async function readTopology(registry: Registry): Promise<Topology> {
  const services = await registry.list('/services');
  const instances: Record<string, ServiceInstance[]> = {};
  const providers: Record<string, ServiceInstance[]> = {};
  const asInstances = (list: Array<{ name: string; data: Record<string, unknown> }>) => list.map((e) => ({ id: e.name, data: e.data }));
  await Promise.all(
    services.map(async ({ name }) => {
      const [procs, provs] = await Promise.all([
        registry.list<Record<string, unknown>>(`/services/${name}/instances`),
        registry.list<Record<string, unknown>>(`/services/${name}/providers`),
      ]);
      if (procs.length) instances[name] = asInstances(procs);
      if (provs.length) providers[name] = asInstances(provs);
    }),
  );
  const nodes = await registry.list<Record<string, unknown>>('/nodes/spear');
  return { root: registry.root, services: instances, providers, spearNodes: asInstances(nodes) };
}
