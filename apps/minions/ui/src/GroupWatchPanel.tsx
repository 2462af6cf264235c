import { useState } from 'react';
import { clock } from './format';
import { useGroupWatch } from './use-group-watch';

const text = (body: unknown) => (typeof body === 'object' && body !== null && 'text' in body ? String((body as { text: unknown }).text) : JSON.stringify(body));

/** Watch a group's messages as they are published, without joining it as a user (the dashboard listens on the bus). */
export function GroupWatchPanel({ group }: { group: string }) {
  const [on, setOn] = useState(false);
  const { messages, state, notice } = useGroupWatch(group, on);
  return (
    <section className="panel wide">
      <h2>
        Watch #{group}
        <span className={state === 'live' ? 'badge ok' : 'badge bad'} data-testid="watch-state">
          {state}
        </span>
        <button onClick={() => setOn(!on)}>{on ? 'stop watching' : 'watch'}</button>
      </h2>
      {notice && <p className="error">{notice}</p>}
      <ul className="inbound" data-testid="group-watch">
        {on && messages.length === 0 && <li className="muted">no message yet</li>}
        {messages.map(({ message: m, live }) => (
          <li key={m.id}>
            <span className="muted">{clock(m.ts)}</span> <span className={live ? 'kind group' : 'kind'}>{live ? 'live' : 'history'}</span> <b>{m.from}</b>: {text(m.body)}{' '}
            <span className="muted">id {m.id}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
