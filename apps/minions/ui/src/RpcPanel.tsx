import { num } from './format';
import { usePoll } from './use-poll';

interface Figures {
  calls: number;
  callsPerSec: number;
  errorRate: number;
  avgMs: number;
  p99Ms: number | null;
  maxMs: number;
}
interface MethodSummary extends Figures {
  side: 'client' | 'server';
  service: string;
  method: string;
  providers: Array<Figures & { provider: string }>;
}

/** RPC calls per service and method over the last minute (the Dubbo monitor view), from stat. */
export function RpcPanel() {
  const { data, error } = usePoll<{ windowSeconds: number; methods: MethodSummary[] }>('/api/stat/rpc?windowSeconds=60', 3000);
  return (
    <section className="panel">
      <h2>RPC <span className="muted">last 60 s</span></h2>
      {error && <p className="error">stat: {error}</p>}
      {data && data.methods.length === 0 && <p className="muted">No RPC calls reported in the last minute.</p>}
      {data && data.methods.length > 0 && (
        <table data-testid="rpc-table">
          <thead>
            <tr>
              <th>side</th>
              <th>method</th>
              <th>calls/s</th>
              <th>errors</th>
              <th>avg</th>
              <th>p99 ≤</th>
              <th>providers</th>
            </tr>
          </thead>
          <tbody>
            {data.methods.map((m) => (
              <tr key={`${m.side}/${m.service}.${m.method}`}>
                <td>{m.side}</td>
                <td>
                  {m.service}.{m.method}
                </td>
                <td>{num(m.callsPerSec, 2)}</td>
                <td className={m.errorRate > 0 ? 'warn' : ''}>{(m.errorRate * 100).toFixed(1)}%</td>
                <td>{num(m.avgMs, 2)} ms</td>
                <td>{m.p99Ms === null ? '–' : `${m.p99Ms} ms`}</td>
                <td>{m.providers.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
