import { describe, expect, it } from 'vitest';
import { BoundedSender } from './bounded-sender';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('BoundedSender', () => {
  it('sends in push order, one at a time', async () => {
    const got: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const s = new BoundedSender<number>({
      capacity: 10,
      retryMs: 5,
      what: 't',
      send: async (n) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await tick(1);
        inFlight--;
        got.push(n);
      },
    });
    for (let i = 0; i < 5; i++) s.push(i);
    await tick(50);
    expect(got).toEqual([0, 1, 2, 3, 4]);
    expect(maxInFlight).toBe(1);
    expect(s.sent).toBe(5);
  });

  it('keeps the newest items while the receiver is down and delivers them once it is back', async () => {
    let up = false;
    const got: number[] = [];
    const s = new BoundedSender<number>({
      capacity: 3,
      retryMs: 5,
      what: 't',
      send: async (n) => {
        if (!up) throw new Error('down');
        got.push(n);
      },
    });
    for (let i = 0; i < 10; i++) s.push(i);
    await tick(20);
    expect(got).toEqual([]);
    expect(s.pending).toBe(3);
    expect(s.dropped).toBe(7);
    up = true;
    await tick(50);
    expect(got).toEqual([7, 8, 9]);
    expect(s.pending).toBe(0);
  });

  it('never blocks push, even when sends hang, and drops everything on close', async () => {
    const s = new BoundedSender<number>({ capacity: 2, retryMs: 5, what: 't', send: () => new Promise(() => undefined) });
    for (let i = 0; i < 100; i++) s.push(i);
    expect(s.pending).toBe(2);
    s.close();
    s.push(1);
    expect(s.pending).toBe(0);
  });
});
