import { useEffect, useRef, useState, type FormEvent } from 'react';
import { connect, type SpearClient } from '@spear/client';
import { api } from './api';
import { clock } from './format';

interface Inbound {
  kind: 'msg' | 'group' | 'broadcast';
  id: string;
  from: string;
  group?: string;
  body: unknown;
  /** Receive time minus the message's server timestamp. */
  latencyMs: number;
  at: number;
  acked: boolean;
}

const KEEP = 100;
const text = (body: unknown) => (typeof body === 'object' && body !== null && 'text' in body ? String((body as { text: unknown }).text) : JSON.stringify(body));

/** One simulated user in the browser: a token from minions, then libs/client exactly as an app would use it. */
export function SimUser({ uid, manualAcks, onRemove }: { uid: string; manualAcks: boolean; onRemove: () => void }) {
  const [client, setClient] = useState<SpearClient>();
  const [status, setStatus] = useState('getting a token…');
  const [node, setNode] = useState<string>();
  const [inbound, setInbound] = useState<Inbound[]>([]);
  const [last, setLast] = useState<string>();
  const [to, setTo] = useState('');
  const [message, setMessage] = useState('hello');
  const [group, setGroup] = useState('demo');
  const [groups, setGroups] = useState<string[]>([]);
  const closed = useRef(false);

  useEffect(() => {
    closed.current = false;
    let c: SpearClient | undefined;
    const add = (item: Omit<Inbound, 'at' | 'acked' | 'latencyMs'> & { ts: number }) =>
      setInbound((list) => [{ ...item, at: Date.now(), latencyMs: Date.now() - item.ts, acked: !manualAcks }, ...list].slice(0, KEEP));
    (async () => {
      const { token } = await api<{ token: string }>('/api/sim/token', { method: 'POST', body: { uid } });
      setStatus('connecting…');
      c = await connect({ ticketUrl: `${window.location.origin}/api/sim`, uid, token, ackMode: manualAcks ? 'manual' : 'auto' });
      if (closed.current) return c.close();
      c.on('msg', (m) => add({ kind: 'msg', id: m.id, from: m.from, body: m.body, ts: m.ts }));
      c.on('group', (m) => add({ kind: 'group', id: m.id, from: m.from, group: m.group, body: m.body, ts: m.ts }));
      c.on('broadcast', (m) => add({ kind: 'broadcast', id: m.id, from: 'system', body: m.body, ts: m.ts }));
      c.on('reconnecting', (e) => setStatus(`reconnecting (${e.reason})`));
      // Kicked (v1.1): the client closes and does not come back; the card says why.
      c.on('kicked', (e) => setStatus(`kicked (${e.reason})`));
      c.on('reconnected', (e) => {
        setNode(e.node);
        setStatus('connected');
      });
      setClient(c);
      setNode(c.session?.node);
      setGroups(c.session?.groups ?? []); // the user's memberships, joined at connect (v1.1)
      setStatus('connected');
    })().catch((e: unknown) => setStatus(`error: ${(e as Error).message}`));
    return () => {
      closed.current = true;
      c?.close();
    };
  }, [uid, manualAcks]);

  const run = (what: string, action: () => Promise<string>) => (event: FormEvent) => {
    event.preventDefault();
    if (!client) return;
    action().then(
      (result) => setLast(`${what}: ${result}`),
      (e: unknown) => setLast(`${what} refused: ${(e as Error).message}`),
    );
  };
  const ack = (ids: string[]) =>
    client?.ack(ids).then(
      () => setInbound((list) => list.map((m) => (ids.includes(m.id) ? { ...m, acked: true } : m))),
      (e: unknown) => setLast(`ack refused: ${(e as Error).message}`),
    );

  return (
    <article className="sim-user" data-testid={`sim-user-${uid}`}>
      <header>
        <strong>{uid}</strong>
        <span className={status === 'connected' ? 'badge ok' : 'badge bad'} data-testid="sim-status">
          {status}
        </span>
        <span className="muted" data-testid="sim-node">
          {node ?? ''}
        </span>
        <button className="link" onClick={onRemove} aria-label={`close ${uid}`}>
          ✕
        </button>
      </header>
      <form onSubmit={run('send', async () => `id ${(await client!.send(to, { text: message })).id}`)}>
        <input aria-label="send to" placeholder="to uid" value={to} onChange={(e) => setTo(e.target.value)} required />
        <input aria-label="message" value={message} onChange={(e) => setMessage(e.target.value)} />
        <button disabled={!client}>send</button>
      </form>
      <form onSubmit={run('join', async () => (await client!.join(group), setGroups((g) => [...new Set([...g, group])]), `joined ${group}`))}>
        <input aria-label="group" value={group} onChange={(e) => setGroup(e.target.value)} required />
        <button disabled={!client}>join</button>
        <button type="button" disabled={!client} onClick={run('publish', async () => `id ${(await client!.publish(group, { text: message })).id}`)}>
          publish
        </button>
        <button type="button" disabled={!client} onClick={run('leave', async () => (await client!.leave(group), setGroups((g) => g.filter((x) => x !== group)), `left ${group}`))}>
          leave
        </button>
      </form>
      <p className="muted">
        {groups.length ? `groups: ${groups.join(', ')}` : 'no group'} {last && `· ${last}`}
      </p>
      {manualAcks && inbound.some((m) => !m.acked && m.kind === 'msg') && (
        <button onClick={() => ack(inbound.filter((m) => !m.acked && m.kind === 'msg').map((m) => m.id))}>ack all</button>
      )}
      <ul className="inbound" data-testid="sim-inbound">
        {inbound.length === 0 && <li className="muted">nothing received yet</li>}
        {inbound.map((m) => (
          <li key={`${m.kind}-${m.id}`} data-kind={m.kind}>
            <span className="muted">{clock(m.at)}</span> <span className={`kind ${m.kind}`}>{m.kind === 'group' ? `#${m.group}` : m.kind}</span> <b>{m.from}</b>: {text(m.body)}{' '}
            <span className="muted">
              id {m.id} · {m.latencyMs} ms
            </span>
            {!m.acked && m.kind === 'msg' && (
              <button className="link" onClick={() => ack([m.id])}>
                ack
              </button>
            )}
          </li>
        ))}
      </ul>
    </article>
  );
}
