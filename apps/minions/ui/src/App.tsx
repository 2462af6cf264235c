import { TopologyPanel } from './TopologyPanel';
import { EnginesPanel } from './EnginesPanel';

export function App() {
  return (
    <div className="page">
      <header>
        <h1>Spear · minions</h1>
        <span className="muted">cluster dashboard</span>
      </header>
      <main className="grid">
        <TopologyPanel />
        <EnginesPanel />
      </main>
    </div>
  );
}
