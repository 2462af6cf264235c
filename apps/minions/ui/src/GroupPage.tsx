import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from './api';
import { num } from './format';
import { GroupWatchPanel } from './GroupWatchPanel';
import { TimeChart } from './TimeChart';
import { usePoll } from './use-poll';

interface GroupView {
  group: string;
  policy: string;
  members: number;
  online: number;
  msgsPerSecond: number;
  points: Array<[number, number]>;
}

const PAGE = 50;

/** One group: its figures and traffic (stat), its members with kick and remove (ticket's admin API), and a live watch. */
export function GroupPage({ group, onKick }: { group: string; onKick: (uid: string) => void }) {
  const view = usePoll<GroupView>(`/api/groups/${encodeURIComponent(group)}`, 2000);
  const [members, setMembers] = useState<string[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [note, setNote] = useState<string>();
  const [uid, setUid] = useState('');

  const load = useCallback(
    async (after?: string) => {
      const query = new URLSearchParams({ limit: String(PAGE), ...(after ? { after } : {}) });
      const page = await api<{ members: string[]; next: string | null }>(`/api/groups/${encodeURIComponent(group)}/members?${query.toString()}`);
      setMembers((list) => (after ? [...list, ...page.members] : page.members));
      setNext(page.next);
    },
    [group],
  );
  useEffect(() => {
    load().catch((e: unknown) => setNote(`members: ${(e as Error).message}`));
  }, [load]);

  const change = (method: 'PUT' | 'DELETE', who: string) =>
    api(`/api/groups/${encodeURIComponent(group)}/members/${encodeURIComponent(who)}`, { method }).then(
      () => (setNote(`${method === 'PUT' ? 'added' : 'removed'} ${who}`), load(), view.refresh()),
      (e: unknown) => setNote(`${who}: ${(e as Error).message}`),
    );
  const add = (e: FormEvent) => {
    e.preventDefault();
    void change('PUT', uid);
  };

  const v = view.data;
  return (
    <>
      <section className="panel" data-testid="group-page">
        <h2>
          #{group} {v && <span className="badge ok">{v.policy}</span>}
        </h2>
        {view.error && <p className="error">{view.error}</p>}
        <dl data-testid="group-figures">
          <div>
            <dt>members</dt>
            <dd>{num(v?.members, 0)}</dd>
          </div>
          <div>
            <dt>online</dt>
            <dd>{num(v?.online, 0)}</dd>
          </div>
          <div>
            <dt>messages /s (10 s)</dt>
            <dd>{num(v?.msgsPerSecond)}</dd>
          </div>
        </dl>
        <TimeChart points={v?.points ?? []} label="messages per second, last minute" format={(n) => num(n)} width={460} testId="group-traffic" />
      </section>
      <section className="panel">
        <h2>Members</h2>
        <form className="inline" onSubmit={add}>
          <input aria-label="member uid" placeholder="uid" value={uid} onChange={(e) => setUid(e.target.value)} required />
          <button>add member</button>
        </form>
        {note && <p className="muted">{note}</p>}
        <table data-testid="group-members">
          <tbody>
            {members.length === 0 && (
              <tr>
                <td className="muted">no member (an open group has none; anyone may join it)</td>
              </tr>
            )}
            {members.map((m) => (
              <tr key={m}>
                <td>{m}</td>
                <td>
                  <button className="link" onClick={() => onKick(m)}>
                    kick {m}
                  </button>
                  <button className="link" onClick={() => void change('DELETE', m)}>
                    remove {m}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {next && (
          <button className="link" onClick={() => void load(next)}>
            more members
          </button>
        )}
      </section>
      <GroupWatchPanel key={group} group={group} />
    </>
  );
}
