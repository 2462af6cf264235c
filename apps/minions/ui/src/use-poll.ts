import { useCallback, useEffect, useState } from 'react';
import { api } from './api';

export interface Polled<T> {
  data?: T;
  error?: string;
  at?: number;
  /** Fetch again now (e.g. when a live event says something changed). */
  refresh: () => void;
}

/** Fetches a JSON API every `intervalMs`; keeps the last good data and the current error apart. */
export function usePoll<T>(url: string, intervalMs = 2000): Polled<T> {
  const [state, setState] = useState<Omit<Polled<T>, 'refresh'>>({});
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let alive = true;
    const load = async () => {
      try {
        const data = await api<T>(url);
        if (alive) setState({ data, at: Date.now() });
      } catch (e) {
        if (alive) setState((s) => ({ ...s, error: (e as Error).message }));
      }
    };
    void load();
    const timer = setInterval(load, intervalMs);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [url, intervalMs, tick]);
  return { ...state, refresh };
}
