import { describe, expect, it, vi } from 'vitest';
import { AckBatcher, MAX_ACK_IDS } from './ack-batcher';

/** A scheduler the test runs by hand. */
function manualScheduler() {
  const queue: Array<() => void> = [];
  return { schedule: (fn: () => void) => void queue.push(fn), run: () => queue.splice(0).forEach((fn) => fn()), get size() { return queue.length; } };
}

describe('AckBatcher', () => {
  it('sends everything added before the flush as one ack, scheduling once', () => {
    const sent: string[][] = [];
    const s = manualScheduler();
    const b = new AckBatcher((ids) => sent.push(ids), s.schedule);
    b.add('1');
    b.add('2');
    b.add('2'); // once per flush
    b.add('3');
    expect(s.size).toBe(1);
    expect(sent).toEqual([]);
    s.run();
    expect(sent).toEqual([['1', '2', '3']]);
    b.add('4');
    s.run();
    expect(sent).toEqual([['1', '2', '3'], ['4']]);
  });

  it('splits a large batch into chunks of at most MAX_ACK_IDS', () => {
    const sent: string[][] = [];
    const s = manualScheduler();
    const b = new AckBatcher((ids) => sent.push(ids), s.schedule);
    for (let i = 0; i < MAX_ACK_IDS * 2 + 5; i++) b.add(String(i));
    s.run();
    expect(sent.map((c) => c.length)).toEqual([MAX_ACK_IDS, MAX_ACK_IDS, 5]);
    expect(sent.flat()).toEqual(Array.from({ length: MAX_ACK_IDS * 2 + 5 }, (_, i) => String(i)));
  });

  it('batches within a tick with the default scheduler', async () => {
    vi.useFakeTimers();
    try {
      const sent: string[][] = [];
      const b = new AckBatcher((ids) => sent.push(ids));
      for (const id of ['a', 'b', 'c']) b.add(id);
      await Promise.resolve();
      b.add('d'); // still the same tick: microtasks do not flush
      expect(sent).toEqual([]);
      vi.advanceTimersByTime(0);
      expect(sent).toEqual([['a', 'b', 'c', 'd']]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('drain() hands over what is pending without sending it', () => {
    const sent: string[][] = [];
    const s = manualScheduler();
    const b = new AckBatcher((ids) => sent.push(ids), s.schedule);
    b.add('x');
    expect(b.drain()).toEqual(['x']);
    s.run();
    expect(sent).toEqual([]);
  });
});
