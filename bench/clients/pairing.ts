/**
 * How a load-generator process turns its connected users into 1:1 pairs
 * (sender → receiver), given the node each one landed on (see Pairing).
 * Crossing pairs alternate direction: half send from the first node to the
 * second, half the other way. With `cross` over more than two nodes
 * (the scale bench) every node sends to every other node in turn
 * (crossAllNodes); with two, the pairs are as they always were.
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
  if (pairing === 'cross' && perNode.size > 2) return crossAllNodes([...perNode.values()]);
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

/**
 * Every pair across nodes, over any number of nodes. In round r, each node
 * that still has two unpaired users sends from one of them to the other's
 * counterpart on the node `d` places further along (d = 1 + r mod (M - 1),
 * M such nodes): every user has one role at most, each node sends and
 * receives the same number of messages per round, and over M - 1 rounds
 * every node sends to every other. Rounds end when fewer than two nodes have
 * two unpaired users left; the rest stay idle (with an uneven spread, some
 * users of the fullest nodes).
 */
function crossAllNodes<U extends Pairable>(lists: U[][]): { senders: U[]; crossPairs: number; samePairs: number } {
  const next = lists.map(() => 0);
  const senders: U[] = [];
  for (let round = 0; ; round++) {
    const active = lists.map((_, k) => k).filter((k) => lists[k]!.length - next[k]! >= 2);
    if (active.length < 2) break;
    const d = 1 + (round % (active.length - 1));
    // Take each active node's sender and receiver for this round first, then link them.
    const picked = active.map((k) => ({ sender: lists[k]![next[k]!]!, receiver: lists[k]![next[k]! + 1]! }));
    active.forEach((k) => (next[k]! += 2));
    picked.forEach((p, i) => {
      p.sender.to = picked[(i + d) % picked.length]!.receiver.uid;
      senders.push(p.sender);
    });
  }
  return { senders, crossPairs: senders.length, samePairs: 0 };
}
