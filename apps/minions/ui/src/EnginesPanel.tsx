import { usePoll } from './use-poll';

/** Redis as the dashboard's server sees it; down shows as down. */
export function EnginesPanel() {
  const { data, error } = usePoll<Record<string, string>>('/api/redis', 3000);
  return (
    <section className="panel">
      <h2>Redis</h2>
      {error && <p className="error">Redis: {error}</p>}
      {data && (
        <dl>
          {Object.entries(data).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
