import { describe, expect, it } from 'vitest';
import type { MsgEvent } from '@spear/protocol';
import type { Unacked } from '../log/user-log';
import { HoleRepair } from './hole-repair';
import { Session } from './session';
import { RecordingLogger } from './test-support';

const msg = (seq: number): MsgEvent => ({ id: String(100 + seq), from: 'alice', to: 'bob', body: seq, ts: 1, seq });

/** A store whose unacked reads answer from `logs` (uid → seqs not acked, up to last) and are counted. */
function store(logs: Record<string, number[]>, fail = false) {
  const reads: string[] = [];
  return {
    reads,
    async unacked(uid: string): Promise<Unacked> {
      reads.push(uid);
      if (fail) throw new Error('store away');
      const seqs = logs[uid] ?? [];
      return { messages: seqs.map(msg), last: Math.max(0, ...seqs) };
    },
  };
}

/** An arrived connection of `uid` handed seqs 1 and 3 at `at`, through `repair` (which so watches the hole). */
function withHole(repair: HoleRepair<string>, uid: string, at: number): Session<string> {
  const s = new Session(uid, uid, uid, 'default');
  s.buffered = undefined; // arrived
  repair.note(s, 1, at);
  repair.note(s, 3, at);
  return s;
}

describe('HoleRepair', () => {
  it('repairs the holes open afterMs, oldest first, at most perSweep per look; the others wait', async () => {
    const st = store({ a: [2, 3], b: [2, 3], c: [2, 3] });
    const handed: Array<[string, number]> = [];
    const logger = new RecordingLogger();
    const repaired: number[] = [];
    const repair = new HoleRepair<string>(st, (s, m) => handed.push([s.uid, m.seq!]), logger, { afterMs: 100, everyMs: 10, perSweep: 1 }, (n) => repaired.push(n));
    withHole(repair, 'a', 1050);
    const b = withHole(repair, 'b', 1000);
    withHole(repair, 'c', 1090);
    expect(await repair.sweep(1100)).toBe(1); // a and b are due; b is older
    expect([st.reads, handed, repaired]).toEqual([['b'], [['b', 2]], [1]]);
    expect([b.seqFloor, b.holeSince]).toEqual([3, undefined]);
    expect(logger.lines).toEqual(['handed connections the messages they missed on the bus']);
    expect(await repair.sweep(1200)).toBe(1);
    expect(await repair.sweep(1200)).toBe(1);
    expect(st.reads).toEqual(['b', 'a', 'c']);
    expect(await repair.sweep(5000)).toBe(0); // every hole closed: nothing read again
  });

  it('a hole that closed on its own (the message was only overtaken) costs no read; a closed connection is forgotten', async () => {
    const st = store({});
    const repair = new HoleRepair<string>(st, () => undefined, new RecordingLogger(), { afterMs: 0, everyMs: 10, perSweep: 10 });
    const overtaken = withHole(repair, 'a', 0);
    const gone = withHole(repair, 'b', 0);
    repair.note(overtaken, 2);
    gone.closed = true;
    expect(await repair.sweep(10)).toBe(0);
    expect(st.reads).toEqual([]);
  });

  it('a connection still arriving waits: its arrival reads the log itself, and nothing may precede its ready', async () => {
    const st = store({ a: [2, 3] });
    const repair = new HoleRepair<string>(st, () => undefined, new RecordingLogger(), { afterMs: 0, everyMs: 10, perSweep: 10 });
    const arriving = withHole(repair, 'a', 0);
    arriving.buffered = [];
    expect(await repair.sweep(10)).toBe(0);
    arriving.buffered = undefined;
    expect(await repair.sweep(20)).toBe(1);
    expect(st.reads).toEqual(['a']);
  });

  it('a log that ends below a seq it gave (lost writes, or started again) closes the hole instead of being read again and again', async () => {
    const st = store({ a: [] });
    const repair = new HoleRepair<string>(st, () => undefined, new RecordingLogger(), { afterMs: 0, everyMs: 10, perSweep: 10 });
    const s = withHole(repair, 'a', 0); // handed 1 and 3
    expect(await repair.sweep(10)).toBe(1);
    expect([s.seqFloor, s.seqsAbove, s.holeSince]).toEqual([3, undefined, undefined]);
    expect(await repair.sweep(20)).toBe(0);
    expect(st.reads).toEqual(['a']);
  });

  it('a store that fails keeps the hole open for the next look', async () => {
    const logger = new RecordingLogger();
    const repair = new HoleRepair<string>(store({}, true), () => undefined, logger, { afterMs: 0, everyMs: 10, perSweep: 10 });
    const s = withHole(repair, 'a', 0);
    await repair.sweep(10);
    expect([s.holeSince, logger.lines]).toEqual([0, ['hole repair failed; will retry']]);
  });
});
