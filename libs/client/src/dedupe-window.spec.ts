import { describe, expect, it } from 'vitest';
import { DedupeWindow } from './dedupe-window';

describe('DedupeWindow', () => {
  it('reports an id new once, then a duplicate', () => {
    const w = new DedupeWindow(3);
    expect(w.add('1')).toBe(true);
    expect(w.add('1')).toBe(false);
    expect(w.add('2')).toBe(true);
    expect(w.has('1')).toBe(true);
  });

  it('remembers at most `size` ids, evicting the least recently seen', () => {
    const w = new DedupeWindow(3);
    for (const id of ['1', '2', '3']) w.add(id);
    expect(w.add('1')).toBe(false); // '1' is now the most recent; '2' the oldest
    expect(w.add('4')).toBe(true); // evicts '2'
    expect(w.count).toBe(3);
    expect(w.has('2')).toBe(false);
    expect([w.has('1'), w.has('3'), w.has('4')]).toEqual([true, true, true]);
    expect(w.add('2')).toBe(true); // out of the window: new again
  });

  it('stays bounded over many ids', () => {
    const w = new DedupeWindow(100);
    for (let i = 0; i < 10_000; i++) w.add(String(i));
    expect(w.count).toBe(100);
    expect(w.has('9999') && w.has('9900') && !w.has('9899')).toBe(true);
  });

  it('forgets an id on request (a failed handler gets the redelivery)', () => {
    const w = new DedupeWindow(3);
    w.add('7');
    w.forget('7');
    expect(w.add('7')).toBe(true);
  });

  it('refuses a size that is not a positive integer', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) expect(() => new DedupeWindow(size)).toThrow(RangeError);
  });
});
