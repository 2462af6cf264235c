import { describe, expect, it } from 'vitest';
import { SeqWatermark } from './seq-watermark';

describe('SeqWatermark', () => {
  it('calls a seq at or below the confirmed upTo a duplicate when its id is not newer than one handed over', () => {
    const w = new SeqWatermark();
    w.seen('100');
    w.seen('200');
    expect(w.check(3, '100')).toBe('new'); // nothing confirmed yet
    w.confirmed(5);
    w.confirmed(4); // never lowers
    expect(w.upTo).toBe(5);
    expect(w.check(3, '100')).toBe('duplicate');
    expect(w.check(5, '200')).toBe('duplicate');
    expect(w.check(6, '300')).toBe('new');
  });

  it('a seq at or below it with a newer id: the log restarted, the watermark is forgotten', () => {
    const w = new SeqWatermark();
    w.seen('200');
    w.confirmed(50);
    expect(w.check(1, '1000')).toBe('restarted');
    expect(w.upTo).toBe(0);
    expect(w.check(2, '100')).toBe('new');
  });

  it('without an id handed over, it cannot tell: new', () => {
    const w = new SeqWatermark();
    w.confirmed(10);
    expect(w.check(3, '1')).toBe('new');
  });

  it('orders ids numerically, not as strings', () => {
    const w = new SeqWatermark();
    w.seen('9');
    w.seen('10');
    w.confirmed(3);
    expect(w.check(2, '10')).toBe('duplicate');
  });
});
