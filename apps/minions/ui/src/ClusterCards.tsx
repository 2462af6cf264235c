import { bytes, num } from './format';
import { usePoll } from './use-poll';

interface Totals {
  nodes: number;
  live: number;
  stale: number;
  metrics: Record<string, number>;
}

/** The headline figures, from stat's totals over the nodes that are reporting. */
export function ClusterCards() {
  const { data, error } = usePoll<Totals>('/api/stat/cluster', 2000);
  const m = data?.metrics;
  const cards: Array<[string, string]> = [
    ['spear nodes', data ? `${data.live}${data.stale ? ` (+${data.stale} stale)` : ''}` : '–'],
    ['connections', num(m?.connections, 0)],
    ['users', num(m?.users, 0)],
    ['msgs in /s', num(m?.msgsInPerSec)],
    ['msgs out /s', num(m?.msgsOutPerSec)],
    ['bus lag p99', m ? `${num(m.busLagP99Ms, 0)} ms` : '–'],
    ['memory', bytes(m?.rssBytes)],
  ];
  return (
    <section className="cards" data-testid="cluster-cards">
      {error && <p className="error">stat: {error}</p>}
      {cards.map(([label, value]) => (
        <div className="card" key={label}>
          <span className="muted">{label}</span>
          <strong>{value}</strong>
        </div>
      ))}
    </section>
  );
}
