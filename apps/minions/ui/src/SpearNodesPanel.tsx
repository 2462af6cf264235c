import { useEffect, useState } from 'react';
import { api } from './api';
import { ago, bytes, num } from './format';
import { TimeChart } from './TimeChart';
import { usePoll } from './use-poll';

interface NodeView {
  node: string;
  instance: string;
  at: number;
  stale: boolean;
  metrics: Record<string, number>;
}
type Points = Array<[number, number | null]>;

const CHARTS: Array<{ metric: string; label: string; format: (n: number) => string }> = [
  { metric: 'connections', label: 'connections', format: (n) => num(n, 0) },
  { metric: 'msgsInPerSec', label: 'messages in /s', format: (n) => num(n) },
  { metric: 'msgsOutPerSec', label: 'messages out /s', format: (n) => num(n) },
  { metric: 'eventLoopP99Ms', label: 'event loop p99 (ms)', format: (n) => num(n) },
];

/** The last 5 minutes of one metric over the whole cluster (stat's fine series). */
function useSeries(metric: string, node: string): Points {
  const [points, setPoints] = useState<Points>([]);
  useEffect(() => {
    let alive = true;
    const load = () =>
      api<{ points: Points }>(`/api/stat/series?metric=${metric}&node=${encodeURIComponent(node)}&from=${Date.now() - 300_000}`).then(
        (r) => alive && setPoints(r.points),
        () => undefined,
      );
    void load();
    const timer = setInterval(load, 2000);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [metric, node]);
  return points;
}

function Chart({ metric, label, format, node }: (typeof CHARTS)[number] & { node: string }) {
  return <TimeChart points={useSeries(metric, node)} label={label} format={format} testId={`chart-${metric}`} />;
}

/** Per-node figures from stat's latest reports, and charts for the cluster or one node. */
export function SpearNodesPanel() {
  const { data, error } = usePoll<{ nodes: NodeView[] }>('/api/stat/nodes', 2000);
  const [node, setNode] = useState('all');
  return (
    <section className="panel wide">
      <h2>Spear nodes</h2>
      {error && <p className="error">stat: {error}</p>}
      {data && data.nodes.length === 0 && <p className="muted">No spear node has reported to stat yet.</p>}
      {data && data.nodes.length > 0 && (
        <table data-testid="spear-table">
          <thead>
            <tr>
              <th>node</th>
              <th>state</th>
              <th>connections</th>
              <th>users</th>
              <th>groups</th>
              <th>in /s</th>
              <th>out /s</th>
              <th>bus lag p99</th>
              <th>loop p99</th>
              <th>memory</th>
              <th>report</th>
            </tr>
          </thead>
          <tbody>
            {data.nodes.map((n) => (
              <tr key={n.node} className={n.node === node ? 'selected' : ''} onClick={() => setNode(n.node === node ? 'all' : n.node)}>
                <td>{n.node}</td>
                <td>
                  <span className={n.stale ? 'badge bad' : 'badge ok'}>{n.stale ? 'stale' : 'live'}</span>
                </td>
                <td>{num(n.metrics.connections, 0)}</td>
                <td>{num(n.metrics.users, 0)}</td>
                <td>{num(n.metrics.groups, 0)}</td>
                <td>{num(n.metrics.msgsInPerSec)}</td>
                <td>{num(n.metrics.msgsOutPerSec)}</td>
                <td>{num(n.metrics.busLagP99Ms, 0)} ms</td>
                <td>{num(n.metrics.eventLoopP99Ms)} ms</td>
                <td>{bytes(n.metrics.rssBytes)}</td>
                <td>{ago(n.at)} ago</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted">Charts: {node === 'all' ? 'all nodes (click a row for one node)' : `node ${node}`}, last 5 minutes.</p>
      <div className="charts">
        {CHARTS.map((c) => (
          <Chart key={`${c.metric}-${node}`} {...c} node={node} />
        ))}
      </div>
    </section>
  );
}
