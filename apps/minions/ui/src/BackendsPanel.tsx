import { num } from './format';
import { usePoll } from './use-poll';

interface Figures {
  kind: 'route' | 'hook';
  name: string;
  calls: number;
  callsPerSec: number | null;
  errorRate: number | null;
  p99Ms: number | null;
}

const pct = (r: number | null) => (r === null ? '–' : `${(r * 100).toFixed(1)}%`);

/** The app's backends in the loop: each rpc route and hook the spear nodes served, over every node, since the last look. */
export function BackendsPanel() {
  const { data, error } = usePoll<{ nodes: number; answered: number; figures: Figures[] }>('/api/backends', 3000);
  return (
    <section className="panel">
      <h2>
        Routes and hooks <span className="muted">{data ? `${data.answered}/${data.nodes} spear nodes` : ''}</span>
      </h2>
      {error && <p className="error">{error}</p>}
      {data && data.figures.length === 0 && <p className="muted">No rpc route or hook has been called.</p>}
      {data && data.figures.length > 0 && (
        <table data-testid="backends-table">
          <thead>
            <tr>
              <th>kind</th>
              <th>route / hook</th>
              <th>calls/s</th>
              <th>errors</th>
              <th>p99 ≤</th>
              <th>calls</th>
            </tr>
          </thead>
          <tbody>
            {data.figures.map((f) => (
              <tr key={`${f.kind}-${f.name}`}>
                <td>{f.kind}</td>
                <td>{f.name}</td>
                <td>{f.callsPerSec === null ? '–' : num(f.callsPerSec)}</td>
                <td className={f.errorRate ? 'bad-text' : ''}>{pct(f.errorRate)}</td>
                <td>{f.p99Ms === null ? '–' : `${num(f.p99Ms)} ms`}</td>
                <td>{num(f.calls, 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
