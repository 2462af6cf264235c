import { usePoll } from './use-poll';

interface Instance {
  id: string;
  data: Record<string, unknown>;
}
interface Topology {
  root: string;
  services: Record<string, Instance[]>;
  providers: Record<string, Instance[]>;
  spearNodes: Instance[];
}

function uptime(startedAt: unknown): string {
  if (typeof startedAt !== 'number') return '–';
  const s = Math.max(0, Math.round((Date.now() - startedAt) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

/** Every registered service instance, live from ZooKeeper. */
export function TopologyPanel() {
  const { data, error } = usePoll<Topology>('/api/topology');
  const rows = data ? Object.entries(data.services).flatMap(([service, list]) => list.map((i) => ({ service, ...i }))) : [];
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
              <th>node</th>
              <th>pid</th>
              <th>rpc</th>
              <th>uptime</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.service}/${r.id}`}>
                <td>{r.service}</td>
                <td>{r.id}</td>
                <td>{String(r.data.nodeId ?? '')}</td>
                <td>{String(r.data.pid ?? '')}</td>
                <td>{r.data.rpcPort ? `:${String(r.data.rpcPort)}` : ''}</td>
                <td>{uptime(r.data.startedAt)}</td>
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
        <p className="muted">
          spear nodes: {data.spearNodes.map((n) => `${n.id} (${String(n.data.url)}, weight ${String(n.data.weight)})`).join(', ') || 'none'}
        </p>
      )}
    </section>
  );
}
