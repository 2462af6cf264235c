import { useEffect, useState } from 'react';

export interface ClusterEvent {
  at: number;
  kind: 'joined' | 'left' | 'draining';
  what: string;
}

/** Server-sent cluster events (/api/live); `onEvent` runs for each, e.g. to refresh the topology at once. */
export function useLive(onEvent: (event: ClusterEvent) => void): { connected: boolean } {
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const source = new EventSource('/api/live');
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false); // EventSource reconnects by itself
    source.addEventListener('cluster', (e) => onEvent(JSON.parse((e as MessageEvent<string>).data) as ClusterEvent));
    return () => source.close();
  }, [onEvent]);
  return { connected };
}
