import { describe, expect, it } from 'vitest';
import { MAX_RANGES, SeqRun } from './seq-run';

describe('SeqRun', () => {
  it('has no top until the lowest seq received is done', () => {
    const run = new SeqRun();
    expect(run.top).toBeUndefined();
    run.received(4);
    run.received(5);
    run.done(5);
    expect(run.top).toBeUndefined();
    run.done(4);
    expect(run.top).toBe(5);
  });

  it('starts from the first seq of the connection: seqs below it are not its to ack', () => {
    const run = new SeqRun();
    for (const seq of [7, 8, 9]) run.done(seq);
    expect(run.top).toBe(9);
  });

  it('stops at a hole (a failed handler) and goes on once it is filled', () => {
    const run = new SeqRun();
    for (const seq of [1, 2, 3, 4, 5]) run.received(seq);
    for (const seq of [1, 2, 4, 5]) run.done(seq);
    expect(run.top).toBe(2);
    run.done(3);
    expect(run.top).toBe(5);
  });

  it('follows a lower seq arriving late (live messages out of order): the top waits for it', () => {
    const run = new SeqRun();
    run.done(7);
    expect(run.top).toBe(7);
    run.received(6);
    expect(run.top).toBeUndefined();
    run.done(6);
    expect(run.top).toBe(7);
  });

  it('merges done seqs in any order into runs', () => {
    const run = new SeqRun();
    run.received(1);
    for (const seq of [9, 3, 5, 2, 4, 8, 10, 6, 7]) run.done(seq);
    expect(run.top).toBeUndefined();
    run.done(1);
    expect(run.top).toBe(10);
    run.done(10); // again: no change
    expect(run.top).toBe(10);
  });

  it('keeps at most MAX_RANGES runs: forgetting some only lowers the top', () => {
    const run = new SeqRun();
    run.received(1);
    // Every other seq done: a hole between each pair.
    for (let i = 0; i <= MAX_RANGES + 10; i++) run.done(2 + 2 * i);
    run.done(1);
    expect(run.top).toBe(2);
    // The lowest runs above the first hole were forgotten (4 first): filling every hole cannot reach past them.
    for (let i = 0; i <= MAX_RANGES + 10; i++) run.done(3 + 2 * i);
    expect(run.top).toBe(3);
  });
});
