import type { Envelope } from '../bus';

/** A 1:1 message envelope whose id says what it is. */
export function message(id: string, to = 'someone'): Envelope {
  return { t: 'msg', p: { id, from: 'tester', to, body: { text: id }, ts: Date.now() } };
}

export function groupMessage(id: string, group: string): Envelope {
  return { t: 'group', p: { id, group, from: 'tester', body: { text: id }, ts: Date.now() } };
}

export function broadcast(id: string): Envelope {
  return { t: 'broadcast', p: { id, body: { text: id }, ts: Date.now() } };
}

/** The id of any envelope (a kick's or a membership change's: its uid). */
export function idOf(envelope: Envelope): string {
  return envelope.t === 'kick' || envelope.t === 'member' ? envelope.p.uid : envelope.p.id;
}
