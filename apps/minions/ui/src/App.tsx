import { useCallback, useEffect, useState } from 'react';
import { api, onUnauthorized } from './api';
import { AuditTab } from './AuditTab';
import { BackendsPanel } from './BackendsPanel';
import { ClusterCards } from './ClusterCards';
import { EnginesPanel } from './EnginesPanel';
import { EventLogPanel } from './EventLogPanel';
import { GroupsTab } from './GroupsTab';
import { Login } from './Login';
import { RpcPanel } from './RpcPanel';
import { Simulator } from './Simulator';
import { SpearNodesPanel } from './SpearNodesPanel';
import { TopologyPanel, type Topology } from './TopologyPanel';
import { useLive, type ClusterEvent } from './use-live';
import { usePoll } from './use-poll';

type Session = { state: 'checking' } | { state: 'out' } | { state: 'in'; operator: string };

export function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const check = useCallback(() => {
    api<{ authenticated: boolean; operator?: string }>('/api/session').then(
      (s) => setSession(s.authenticated && s.operator ? { state: 'in', operator: s.operator } : { state: 'out' }),
      () => setSession({ state: 'out' }),
    );
  }, []);
  useEffect(() => {
    check();
    return onUnauthorized(() => setSession({ state: 'out' }));
  }, [check]);
  // The server deletes the session: the cookie stops working everywhere at once, not only in this tab.
  const logOut = () => api('/api/logout', { method: 'POST' }).finally(() => setSession({ state: 'out' }));
  return (
    <div className="page">
      <header className="top">
        <h1>Spear · minions</h1>
        <span className="muted">cluster dashboard</span>
        {session.state === 'in' && (
          <span className="who">
            <span data-testid="operator">{session.operator}</span>
            <button className="link" onClick={() => void logOut()}>
              log out
            </button>
          </span>
        )}
      </header>
      {session.state === 'checking' && <p className="muted">loading…</p>}
      {session.state === 'out' && <Login onDone={check} />}
      {session.state === 'in' && <Dashboard />}
    </div>
  );
}

function Dashboard() {
  const [tab, setTab] = useState<'cluster' | 'groups' | 'simulator' | 'audit'>('cluster');
  const topology = usePoll<Topology>('/api/topology', 5000);
  const [events, setEvents] = useState<ClusterEvent[]>([]);
  useEffect(() => {
    api<{ events: ClusterEvent[] }>('/api/events').then((r) => setEvents(r.events), () => undefined);
  }, []);
  const { refresh } = topology;
  const onEvent = useCallback(
    (event: ClusterEvent) => {
      setEvents((list) => [...list, event].slice(-200));
      refresh();
    },
    [refresh],
  );
  const { connected } = useLive(onEvent);
  return (
    <>
      <nav className="tabs">
        <button className={tab === 'cluster' ? 'active' : ''} onClick={() => setTab('cluster')}>
          Cluster
        </button>
        <button className={tab === 'groups' ? 'active' : ''} onClick={() => setTab('groups')}>
          Groups
        </button>
        <button className={tab === 'simulator' ? 'active' : ''} onClick={() => setTab('simulator')}>
          Simulator
        </button>
        <button className={tab === 'audit' ? 'active' : ''} onClick={() => setTab('audit')}>
          Audit
        </button>
      </nav>
      <ClusterCards />
      {/* The simulator stays mounted while hidden: its users keep their connections across tabs. */}
      <main className="grid" hidden={tab !== 'cluster'}>
        <TopologyPanel topology={topology} />
        <SpearNodesPanel />
        <RpcPanel />
        <BackendsPanel />
        <EnginesPanel />
        <EventLogPanel events={events} live={connected} />
      </main>
      {tab === 'groups' && (
        <main className="grid">
          <GroupsTab />
        </main>
      )}
      <main className="grid" hidden={tab !== 'simulator'}>
        <Simulator />
      </main>
      {tab === 'audit' && (
        <main className="grid">
          <AuditTab />
        </main>
      )}
    </>
  );
}
