import { useState, type FormEvent } from 'react';
import { api } from './api';
import { num } from './format';
import { SimUser } from './SimUser';
import { usePoll } from './use-poll';

interface LoadStatus {
  state: string;
  connected: number;
  sent: number;
  acked: number;
  received: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
  lastError?: string;
}

/** Act as users (several side by side, in this browser) and run server-side load for a demo. */
export function Simulator() {
  const [users, setUsers] = useState<Array<{ uid: string; manualAcks: boolean }>>([]);
  const [uid, setUid] = useState('alice');
  const [manualAcks, setManualAcks] = useState(false);
  const add = (event: FormEvent) => {
    event.preventDefault();
    if (uid && !users.some((u) => u.uid === uid)) setUsers((list) => [...list, { uid, manualAcks }]);
  };
  return (
    <>
      <section className="panel wide">
        <h2>Act as a user</h2>
        <form onSubmit={add} className="inline">
          <input aria-label="uid" value={uid} onChange={(e) => setUid(e.target.value)} placeholder="uid" required />
          <label>
            <input type="checkbox" checked={manualAcks} onChange={(e) => setManualAcks(e.target.checked)} /> manual acks
          </label>
          <button>connect</button>
          <span className="muted">The server issues a token; this browser gets a ticket and connects with the SDK (libs/client).</span>
        </form>
        <div className="sim-grid">
          {users.map((u) => (
            <SimUser key={u.uid} uid={u.uid} manualAcks={u.manualAcks} onRemove={() => setUsers((list) => list.filter((x) => x.uid !== u.uid))} />
          ))}
        </div>
      </section>
      <LoadPanel />
    </>
  );
}

function LoadPanel() {
  const { data, error, refresh } = usePoll<LoadStatus>('/api/sim/load', 1000);
  const [spec, setSpec] = useState({ users: 50, ratePerSec: 100, seconds: 60 });
  const [problem, setProblem] = useState<string>();
  const running = data && ['connecting', 'running', 'stopping'].includes(data.state);
  const act = (method: 'POST' | 'DELETE') => (event: FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    api('/api/sim/load', { method, body: method === 'POST' ? spec : undefined }).then(refresh, (e: unknown) => setProblem((e as Error).message));
  };
  const field = (key: keyof typeof spec, label: string) => (
    <label>
      {label} <input type="number" aria-label={label} value={spec[key]} onChange={(e) => setSpec({ ...spec, [key]: Number(e.target.value) })} />
    </label>
  );
  return (
    <section className="panel wide">
      <h2>Load mode</h2>
      <form onSubmit={act(running ? 'DELETE' : 'POST')} className="inline">
        {field('users', 'users')}
        {field('ratePerSec', 'msgs/s')}
        {field('seconds', 'seconds')}
        <button>{running ? 'stop' : 'start'}</button>
      </form>
      {(problem || error) && <p className="error">{problem ?? error}</p>}
      {data && (
        <p data-testid="load-status">
          {data.state} · {data.connected} users · sent {num(data.sent, 0)} · acked {num(data.acked, 0)} · received {num(data.received, 0)} · errors {data.errors} · latency p50{' '}
          {data.p50Ms ?? '–'} ms, p99 {data.p99Ms ?? '–'} ms {data.lastError && <span className="muted">(last error: {data.lastError})</span>}
        </p>
      )}
    </section>
  );
}
