/**
 * How a load-generator process turns its connected users into 1:1 pairs
 * (sender → receiver), given the node each one landed on (see Pairing).
 * Crossing pairs alternate direction: half send from the first node to the
 * second, half the other way.
 */
import type { Pairing } from './protocol';

export interface Pairable {
  uid: string;
  node: string;
  /** Set on senders: the uid of the receiver. */
  to?: string;
}

export function pairUp<U extends Pairable>(users: U[], pairing: Pairing): { senders: U[]; crossPairs: number; samePairs: number } {
  const perNode = new Map<string, U[]>();
  for (const u of users) perNode.set(u.node, [...(perNode.get(u.node) ?? []), u]);
  const [a = [], b = []] = [...perNode.values()];
  const cross = pairing === 'cross' ? Math.min(a.length, b.length) : Math.min(a.length, b.length, Math.floor(users.length / 4));
  const senders: U[] = [];
  const link = (from: U, to: U) => {
    from.to = to.uid;
    senders.push(from);
  };
  for (let i = 0; i < cross; i++) {
    if (i % 2 === 0) link(a[i]!, b[i]!);
    else link(b[i]!, a[i]!);
  }
  if (pairing === 'mixed') {
    for (const rest of [a.slice(cross), b.slice(cross), ...[...perNode.values()].slice(2)]) {
      for (let i = 0; i + 1 < rest.length; i += 2) link(rest[i]!, rest[i + 1]!);
    }
  }
  return { senders, crossPairs: cross, samePairs: senders.length - cross };
}
