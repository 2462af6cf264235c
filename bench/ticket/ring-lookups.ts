/**
 * Part 1 of bench/ticket/tickets.bench.ts: what a ring lookup costs ticket
 * per ticket, `HashRing.get` over many uids with ticket's node set, next to
 * the native md5 digest alone for scale.
 */
import { hash } from 'node:crypto';
import { HashRing, type RingMember } from '@spear/ring';
import { ownCpu, ratio } from '../rpc/measure';

export interface RingResult {
  lookups: number;
  /** Wall-clock ns per lookup of each timed pass. */
  passes: number[];
  /** Median pass, wall clock. */
  nsPerLookup: number;
  /** Median pass, this process's CPU time (less inflated when the machine is busy). */
  cpuNsPerLookup: number;
  /** For scale: `crypto.hash('md5', uid)` (the native digest alone), CPU ns per call, median pass. */
  cryptoMd5CpuNs: number;
  /** Share of the uids each node got. */
  shares: Record<string, number>;
}

/** Times `f` over every uid: three passes after a warm-up one; the median pass in wall and CPU ns per call. */
function timePasses(uids: string[], f: (uid: string) => unknown): { wall: number[]; median: number; cpuMedian: number } {
  const pass = () => {
    const c0 = ownCpu();
    const t0 = process.hrtime.bigint();
    let last: unknown;
    for (let i = 0; i < uids.length; i++) last = f(uids[i]!);
    const wall = Number(process.hrtime.bigint() - t0) / uids.length;
    if (last === undefined) throw new Error('no answer');
    return { wall: Math.round(wall * 10) / 10, cpu: Math.round(((ownCpu() - c0) * 1000 * 10) / uids.length) / 10 };
  };
  pass();
  const passes = [pass(), pass(), pass()];
  const mid = <T>(xs: T[], key: (x: T) => number) => key([...xs].sort((a, b) => key(a) - key(b))[1]!);
  return { wall: passes.map((p) => p.wall), median: mid(passes, (p) => p.wall), cpuMedian: mid(passes, (p) => p.cpu) };
}

/** `lookups` uids (`uidOf(0)`...) on a ring of `nodes`: the split, and ns per lookup. */
export function ringLookups(nodes: RingMember[], lookups: number, uidOf: (i: number) => string): RingResult {
  const ring = new HashRing(nodes);
  const uids = Array.from({ length: lookups }, (_, i) => uidOf(i));
  const counts = new Map<string, number>();
  for (const uid of uids) {
    const id = ring.get(uid)!.id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const get = timePasses(uids, (uid) => ring.get(uid));
  const md5 = timePasses(uids, (uid) => hash('md5', uid, 'hex'));
  const shares = Object.fromEntries([...counts].sort().map(([id, n]) => [id, ratio(n, lookups)]));
  return { lookups, passes: get.wall, nsPerLookup: get.median, cpuNsPerLookup: get.cpuMedian, cryptoMd5CpuNs: md5.cpuMedian, shares };
}

