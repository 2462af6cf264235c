import { useCallback, useEffect, useState } from 'react';
import { api, onUnauthorized } from './api';
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

type Session = 'checking' | 'in' | 'out';

export function App() {
  const [session, setSession] = useState<Session>('checking');
  const check = useCallback(() => {
    api<{ authenticated: boolean }>('/api/session').then(
      (s) => setSession(s.authenticated ? 'in' : 'out'),
      () => setSession('out'),
    );
  }, []);
  useEffect(() => {
    check();
    return onUnauthorized(() => setSession('out'));
  }, [check]);
  return (
    <div className="page">
      <header className="top">
        <h1>Spear · minions</h1>
        <span className="muted">cluster dashboard</span>
      </header>
      {session === 'checking' && <p className="muted">loading…</p>}
      {session === 'out' && <Login onDone={check} />}
      {session === 'in' && <Dashboard />}
    </div>
  );
}

function Dashboard() {
  const [tab, setTab] = useState<'cluster' | 'groups' | 'simulator'>('cluster');
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
    </>
  );
}
