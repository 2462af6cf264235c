import { useState, type FormEvent } from 'react';
import { api } from './api';
import { num } from './format';
import { GroupPage } from './GroupPage';
import { usePoll } from './use-poll';

interface Busy {
  group: string;
  policy: string;
  members: number;
  online: number;
  msgsPerSecond: number;
  messages: number;
}

/** Groups: the busiest ones (stat), any group by name, and kicking a user off every node. */
export function GroupsTab() {
  const busiest = usePoll<{ busiest: Busy[] }>('/api/groups?limit=20', 3000);
  const [name, setName] = useState('');
  const [group, setGroup] = useState<string>();
  const [kickUid, setKickUid] = useState('');
  const [kickNote, setKickNote] = useState<string>();

  const open = (e: FormEvent) => {
    e.preventDefault();
    setGroup(name.trim());
  };
  const kick = (uid: string) =>
    api(`/api/users/${encodeURIComponent(uid)}/disconnect`, { method: 'POST' }).then(
      () => setKickNote(`kicked ${uid}: its connections on every node are closed`),
      (e: unknown) => setKickNote(`kick ${uid} refused: ${(e as Error).message}`),
    );

  return (
    <>
      <section className="panel">
        <h2>Groups</h2>
        <form className="inline" onSubmit={open}>
          <input aria-label="group name" placeholder="e.g. room.lobby" value={name} onChange={(e) => setName(e.target.value)} required />
          <button>open group</button>
        </form>
        {busiest.error && <p className="error">stat: {busiest.error}</p>}
        <table data-testid="busiest-groups">
          <thead>
            <tr>
              <th>busiest (2 min)</th>
              <th>policy</th>
              <th>members</th>
              <th>online</th>
              <th>msgs /s</th>
              <th>messages</th>
            </tr>
          </thead>
          <tbody>
            {busiest.data?.busiest.length === 0 && (
              <tr>
                <td className="muted">no group traffic in the last two minutes</td>
              </tr>
            )}
            {busiest.data?.busiest.map((g) => (
              <tr key={g.group} className={g.group === group ? 'selected' : ''} onClick={() => setGroup(g.group)}>
                <td>{g.group}</td>
                <td>{g.policy}</td>
                <td>{num(g.members, 0)}</td>
                <td>{num(g.online, 0)}</td>
                <td>{num(g.msgsPerSecond)}</td>
                <td>{num(g.messages, 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel">
        <h2>Kick a user</h2>
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            void kick(kickUid);
          }}
        >
          <input aria-label="kick uid" placeholder="uid" value={kickUid} onChange={(e) => setKickUid(e.target.value)} required />
          <button>kick</button>
        </form>
        <p className="muted" data-testid="kick-note">
          {kickNote ?? 'Every live connection of the uid gets kicked and is closed; its clients do not reconnect on their own.'}
        </p>
      </section>
      {group && <GroupPage key={group} group={group} onKick={(uid) => void kick(uid)} />}
    </>
  );
}
