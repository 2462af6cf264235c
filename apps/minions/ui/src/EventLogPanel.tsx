import { clock } from './format';
import type { ClusterEvent } from './use-live';

/** Nodes and services joining, draining and leaving, newest first (ZooKeeper watches on the server, pushed over SSE). */
export function EventLogPanel({ events, live }: { events: ClusterEvent[]; live: boolean }) {
  return (
    <section className="panel">
      <h2>
        Events <span className={live ? 'badge ok' : 'badge bad'}>{live ? 'live' : 'reconnecting'}</span>
      </h2>
      {events.length === 0 && <p className="muted">Nothing has joined or left since the dashboard started.</p>}
      <ul className="events" data-testid="event-log">
        {[...events].reverse().map((e, i) => (
          <li key={`${e.at}-${i}`}>
            <span className="muted">{clock(e.at)}</span> <span className={e.kind === 'joined' ? 'ok-text' : 'bad-text'}>{e.kind}</span> {e.what}
          </li>
        ))}
      </ul>
    </section>
  );
}
