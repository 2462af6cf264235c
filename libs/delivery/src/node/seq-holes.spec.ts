import { describe, expect, it } from 'vitest';
import type { MsgEvent } from '@spear/protocol';
import { upToMark } from './device-acks';
import { fillFromLog, handed, MAX_SEQS_ABOVE, noteSeq, raiseFloor } from './seq-holes';
import { Session } from './session';

const session = () => new Session<unknown>({}, 'bob', 's1', 'phone');
const msg = (seq: number): MsgEvent => ({ id: String(100 + seq), from: 'alice', to: 'bob', body: seq, ts: 1, seq });

describe('seq holes: which seqs a connection was handed', () => {
  it('in order: the floor follows, nothing else is kept', () => {
    const s = session();
    raiseFloor(s, 3);
    for (const seq of [4, 5, 5, 2, undefined]) expect(noteSeq(s, seq, 10)).toBe(false);
    expect([s.seqFloor, s.seqsAbove, s.holeSince]).toEqual([5, undefined, undefined]);
  });

  it('a seq above the next one opens a hole once; filling it closes it', () => {
    const s = session();
    expect(noteSeq(s, 1, 10)).toBe(false);
    expect(noteSeq(s, 3, 20)).toBe(true);
    expect(noteSeq(s, 5, 30)).toBe(false); // a second hole: the first one is still the one that counts
    expect([s.seqFloor, s.seqsAbove, s.holeSince]).toEqual([1, [3, 5], 20]);
    expect([handed(s, 1), handed(s, 2), handed(s, 3), handed(s, 4)]).toEqual([true, false, true, false]);
    // 2 arrives late: the floor joins 3, and the hole left (4) counts from now.
    expect(noteSeq(s, 2, 40)).toBe(false);
    expect([s.seqFloor, s.seqsAbove, s.holeSince]).toEqual([3, [5], 40]);
    noteSeq(s, 4, 50);
    expect([s.seqFloor, s.seqsAbove, s.holeSince]).toEqual([5, undefined, undefined]);
  });

  it('a seq handed twice above a hole is kept once', () => {
    const s = session();
    noteSeq(s, 4, 1);
    noteSeq(s, 4, 2);
    noteSeq(s, 3, 3);
    expect(s.seqsAbove).toEqual([3, 4]);
  });

  it(`past ${MAX_SEQS_ABOVE} seqs above a hole, the hole is due at once`, () => {
    const s = session();
    for (let seq = 2; seq <= MAX_SEQS_ABOVE + 1; seq++) noteSeq(s, seq, 1000);
    expect(s.holeSince).toBe(1000);
    noteSeq(s, MAX_SEQS_ABOVE + 2, 1000);
    expect([s.seqsAbove!.length, s.holeSince]).toEqual([MAX_SEQS_ABOVE, 0]);
  });

  it('fillFromLog hands only what the connection lacks, then counts everything up to the log\'s last seq as accounted for', () => {
    const s = session();
    noteSeq(s, 1, 1);
    noteSeq(s, 4, 2); // 2 and 3 missing
    const out: number[] = [];
    // The device acked 3 elsewhere; 5 was stored after 4 and is still on its way.
    const n = fillFromLog(s, { messages: [msg(2), msg(4), msg(5)], last: 5 }, (m) => out.push(m.seq!), 3);
    expect([n, out]).toEqual([2, [2, 5]]);
    expect([s.seqFloor, s.seqsAbove, s.holeSince]).toEqual([5, undefined, undefined]);
  });

  it('a repair read older than what was handed since keeps the seqs above its last', () => {
    const s = session();
    noteSeq(s, 1, 1);
    noteSeq(s, 3, 2);
    noteSeq(s, 6, 3);
    fillFromLog(s, { messages: [msg(2)], last: 3 }, () => undefined, 4);
    expect([s.seqFloor, s.seqsAbove, s.holeSince]).toEqual([3, [6], 4]);
  });

  it('ack {upTo} is clamped to the floor: never over a hole, never past what was handed', () => {
    const s = session();
    noteSeq(s, 1, 1);
    noteSeq(s, 3, 2);
    expect(upToMark(s, 3)).toBe(1);
    expect(upToMark(s, 3)).toBeUndefined(); // moves nothing more
    noteSeq(s, 2, 3);
    expect(upToMark(s, 10)).toBe(3);
  });
});
