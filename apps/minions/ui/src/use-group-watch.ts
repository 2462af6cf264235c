import { useEffect, useState } from 'react';

export interface WatchedMessage {
  message: { id: string; group: string; from: string; body: unknown; ts: number };
  /** false for the backlog read from the group's history when the watch opened. */
  live: boolean;
}

const KEEP = 200;

/** A live watch of `group`'s messages (server-sent events from /api/groups/{group}/watch) while `on`; newest first. */
export function useGroupWatch(group: string, on: boolean): { messages: WatchedMessage[]; state: 'off' | 'opening' | 'live' | 'reconnecting'; notice?: string } {
  const [messages, setMessages] = useState<WatchedMessage[]>([]);
  const [state, setState] = useState<'off' | 'opening' | 'live' | 'reconnecting'>('off');
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    setMessages([]);
    setNotice(undefined);
    if (!on) return setState('off');
    setState('opening');
    const source = new EventSource(`/api/groups/${encodeURIComponent(group)}/watch`);
    source.onopen = () => setState('live');
    source.onerror = () => setState('reconnecting'); // EventSource reconnects by itself; the backlog comes again, deduped below
    source.addEventListener('message', (e) => {
      const item = JSON.parse((e as MessageEvent<string>).data) as WatchedMessage;
      setMessages((list) => (list.some((m) => m.message.id === item.message.id) ? list : [item, ...list].slice(0, KEEP)));
    });
    source.addEventListener('notice', (e) => setNotice((JSON.parse((e as MessageEvent<string>).data) as { message: string }).message));
    return () => source.close();
  }, [group, on]);
  return { messages, state, notice };
}
