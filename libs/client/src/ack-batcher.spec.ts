import { describe, expect, it, vi } from 'vitest';
import { AckBatcher, MAX_ACK_IDS, type AckRequest } from './ack-batcher';
import { SeqRun } from './seq-run';

/** A scheduler the test runs by hand; records the delays asked for. */
function manualScheduler() {
  const queue: Array<() => void> = [];
  const delays: number[] = [];
  return {
    schedule: (fn: () => void, delayMs: number) => {
      queue.push(fn);
      delays.push(delayMs);
      return () => queue.splice(queue.indexOf(fn), 1);
    },
    run: () => queue.splice(0).forEach((fn) => fn()),
    delays,
    get size() {
      return queue.length;
    },
  };
}

function setup(delayMs = 1000) {
  const sent: AckRequest[] = [];
  const s = manualScheduler();
  const b = new AckBatcher((ack) => sent.push(ack), delayMs, s.schedule);
  return { sent, s, b };
}

/** A run whose seqs `done` are done. */
function runWith(...done: number[]): SeqRun {
  const run = new SeqRun();
  for (const seq of done) run.done(seq);
  return run;
}

describe('AckBatcher', () => {
  it('sends everything added before the flush as one ack, scheduling once with the delay', () => {
    const { sent, s, b } = setup(1000);
    b.add('1');
    b.add('2');
    b.add('2'); // once per flush
    b.add('3');
    expect(s.size).toBe(1);
    expect(s.delays).toEqual([1000]);
    expect(sent).toEqual([]);
    s.run();
    expect(sent).toEqual([{ ids: ['1', '2', '3'] }]);
    b.add('4');
    s.run();
    expect(sent).toEqual([{ ids: ['1', '2', '3'] }, { ids: ['4'] }]);
  });

  it('splits a large batch into chunks of at most MAX_ACK_IDS', () => {
    const { sent, s, b } = setup();
    for (let i = 0; i < MAX_ACK_IDS * 2 + 5; i++) b.add(String(i));
    s.run();
    const chunks = sent.map((a) => ('ids' in a ? a.ids : []));
    expect(chunks.map((c) => c.length)).toEqual([MAX_ACK_IDS, MAX_ACK_IDS, 5]);
    expect(chunks.flat()).toEqual(Array.from({ length: MAX_ACK_IDS * 2 + 5 }, (_, i) => String(i)));
  });

  it('waits ackDelayMs with the default scheduler (0: the next macrotask)', () => {
    vi.useFakeTimers();
    try {
      const sent: AckRequest[] = [];
      const b = new AckBatcher((ack) => sent.push(ack), 1000);
      b.add('a');
      vi.advanceTimersByTime(999);
      b.add('b');
      expect(sent).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(sent).toEqual([{ ids: ['a', 'b'] }]);

      const now: AckRequest[] = [];
      const b0 = new AckBatcher((ack) => now.push(ack), 0);
      b0.add('c');
      expect(now).toEqual([]);
      vi.advanceTimersByTime(0);
      expect(now).toEqual([{ ids: ['c'] }]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('acks seqs with {upTo} up to the run top, and by id only what lies above a hole', () => {
    const { sent, s, b } = setup();
    const run = runWith(1, 2, 3, 5); // 4 failed or not here yet
    for (const [id, seq] of [['a', 1], ['b', 2], ['c', 3], ['e', 5]] as const) b.add(id, seq, run);
    b.add('v1'); // no seq: an old server
    s.run();
    expect(sent).toEqual([{ upTo: 3 }, { ids: ['e', 'v1'] }]);
    // 4 is done later: the next upTo covers 5 as well; nothing at or below an upTo sent goes by id again.
    run.done(4);
    b.add('d', 4, run);
    b.add('b', 2, run); // a redelivered duplicate
    s.run();
    expect(sent.slice(2)).toEqual([{ upTo: 5 }]);
  });

  it('takes the highest top of the runs that added, and never sends an upTo at or below one sent', () => {
    const { sent, s, b } = setup();
    const old = runWith(5, 6, 7);
    const fresh = runWith(8, 9);
    b.add('g', 7, old);
    b.add('i', 9, fresh);
    s.run();
    expect(sent).toEqual([{ upTo: 9 }]);
    b.add('f', 6, old); // old's top is 7 ≤ 9
    s.run();
    expect(sent).toEqual([{ upTo: 9 }]);
  });

  it('rewind: an upTo that may not have been applied is sent again by a later flush', () => {
    const { sent, s, b } = setup();
    const run = runWith(1, 2);
    b.add('b', 2, run);
    s.run();
    b.rewind(0);
    b.add('b', 2, run);
    s.run();
    expect(sent).toEqual([{ upTo: 2 }, { upTo: 2 }]);
  });

  it('drain() hands over what is pending as payloads, cancels the scheduled flush, and sends nothing', () => {
    const { sent, s, b } = setup();
    const run = runWith(1, 3);
    b.add('x', 1, run);
    b.add('z', 3, run);
    expect(s.size).toBe(1);
    expect(b.drain()).toEqual([{ upTo: 1 }, { ids: ['z'] }]);
    expect(s.size).toBe(0);
    expect(b.size).toBe(0);
    expect(sent).toEqual([]);
  });
});
