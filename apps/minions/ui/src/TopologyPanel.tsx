import { ago } from './format';
import type { Polled } from './use-poll';

interface Instance {
  id: string;
  data: Record<string, unknown>;
  health?: string;
}
export interface Topology {
  root: string;
  services: Record<string, Instance[]>;
  providers: Record<string, Instance[]>;
  /** `ring`: the node as ticket's ring sees it; null when it has no url (not in the ring). */
  spearNodes: Array<Instance & { ring: { url: string; weight: number } | null }>;
}

/** Every registered service instance with its health, live from ZooKeeper (refreshed at once on cluster events). */
export function TopologyPanel({ topology }: { topology: Polled<Topology> }) {
  const { data, error } = topology;
  const rows = data ? Object.entries(data.services).flatMap(([service, list]) => list.map((i) => ({ service, ...i }))) : [];
  const weightOf = (nodeId: unknown) => data?.spearNodes.find((n) => n.id === nodeId)?.ring?.weight;
  return (
    <section className="panel wide">
      <h2>
        Topology <span className="muted">{data?.root}</span>
      </h2>
      {error && <p className="error">ZooKeeper: {error}</p>}
      {!data && !error && <p className="muted">loading…</p>}
      {data && rows.length === 0 && <p className="muted">No service is registered under {data.root}.</p>}
      {rows.length > 0 && (
        <table data-testid="topology">
          <thead>
            <tr>
              <th>service</th>
              <th>instance</th>
              <th>health</th>
              <th>node</th>
              <th>weight</th>
              <th>rpc</th>
              <th>pid</th>
              <th>uptime</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.service}/${r.id}`} data-service={r.service}>
                <td>{r.service}</td>
                <td>{r.id}</td>
                <td>
                  <span className={r.health === 'ok' ? 'badge ok' : 'badge bad'}>{r.health ?? '?'}</span>
                </td>
                <td>{String(r.data.nodeId ?? '')}</td>
                <td>{r.data.nodeId ? String(weightOf(r.data.nodeId) ?? '') : ''}</td>
                <td>{r.data.rpcPort ? `:${String(r.data.rpcPort)}` : ''}</td>
                <td>{String(r.data.pid ?? '')}</td>
                <td>{ago(typeof r.data.startedAt === 'number' ? r.data.startedAt : undefined)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && Object.keys(data.providers).length > 0 && (
        <p className="muted">
          RPC providers:{' '}
          {Object.entries(data.providers)
            .map(([service, list]) => `${service} × ${list.length} (${list.map((p) => `${p.id} w${String(p.data.weight)}`).join(', ')})`)
            .join('; ')}
        </p>
      )}
      {data && (
        <p className="muted" data-testid="spear-nodes">
          spear nodes: {data.spearNodes.map((n) => (n.ring ? `${n.id} (${n.ring.url}, weight ${n.ring.weight})` : `${n.id} (no url: not in the ring)`)).join(', ') || 'none'}
        </p>
      )}
    </section>
  );
}
