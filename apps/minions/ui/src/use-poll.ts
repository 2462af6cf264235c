import { useEffect, useState } from 'react';

export interface Polled<T> {
  data?: T;
  error?: string;
  at?: number;
}

/** Fetches a JSON API every `intervalMs`; keeps the last good data and the current error apart. */
export function usePoll<T>(url: string, intervalMs = 2000): Polled<T> {
  const [state, setState] = useState<Polled<T>>({});
  useEffect(() => {
    let alive = true;
    const tick = async () => {
      try {
        const res = await fetch(url);
        const body = await res.json();
        if (!alive) return;
        if (!res.ok) setState((s) => ({ ...s, error: body?.error?.message ?? `HTTP ${res.status}` }));
        else setState({ data: body as T, at: Date.now() });
      } catch (e) {
        if (alive) setState((s) => ({ ...s, error: `dashboard server unreachable (${(e as Error).message})` }));
      }
    };
    void tick();
    const timer = setInterval(tick, intervalMs);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [url, intervalMs]);
  return state;
}
