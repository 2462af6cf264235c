import { describe, expect, it } from 'vitest';
import { IdRangeCursor } from './id-range-cursor';
import { assertIdRange, countIds, expandRange } from './id-range';
import { MAX_ID } from './layout';

function byBigInt(start: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(BigInt(start) + BigInt(i)));
}

describe('expandRange', () => {
  it('lists the consecutive ids, carrying across decimal boundaries', () => {
    for (const [start, count] of [
      ['192617945138991104', 4096],
      ['999999000', 2000],
      ['1999999999', 3],
      ['0', 12],
      [String(BigInt(MAX_ID) - 4095n), 4096],
    ] as const) {
      expect(expandRange({ start, count })).toEqual(byBigInt(start, count));
    }
    expect(expandRange({ start: '5', count: 0 })).toEqual([]);
  });

  it('refuses malformed ranges', () => {
    for (const bad of [
      { start: '01', count: 1 },
      { start: '-1', count: 1 },
      { start: '1', count: -1 },
      { start: '1', count: 1.5 },
      { start: MAX_ID, count: 2 },
      { start: '9223372036000000000', count: 854775809 },
    ]) {
      expect(() => assertIdRange(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'invalid_id' }));
    }
    expect(() => assertIdRange({ start: MAX_ID, count: 1 })).not.toThrow();
  });
});

describe('IdRangeCursor', () => {
  it('hands out every id of every range once, in push order', () => {
    const ranges = [
      { start: '192617945138991104', count: 4096 },
      { start: '192617945143185408', count: 10 },
      { start: '999999998', count: 5 },
    ];
    const cursor = new IdRangeCursor(ranges);
    expect(cursor.size).toBe(countIds(ranges));
    const out: string[] = [];
    for (let id = cursor.next(); id !== undefined; id = cursor.next()) out.push(id);
    expect(out).toEqual(ranges.flatMap((r) => byBigInt(r.start, r.count)));
    expect(cursor.size).toBe(0);
    expect(cursor.next()).toBeUndefined();
  });

  it('takes in chunks that straddle ranges, and refills after running dry', () => {
    const cursor = new IdRangeCursor([{ start: '100', count: 3 }, { start: '1000', count: 2 }]);
    expect(cursor.take(4)).toEqual(['100', '101', '102', '1000']);
    expect(cursor.take(4)).toEqual(['1001']);
    expect(cursor.take(1)).toEqual([]);
    cursor.push({ start: '7', count: 2 });
    expect(cursor.next()).toBe('7');
    expect(cursor.take(10)).toEqual(['8']);
  });

  it('is not affected by later changes to a pushed range object', () => {
    const range = { start: '10', count: 2 };
    const cursor = new IdRangeCursor([range]);
    range.start = '50';
    range.count = 9;
    expect(cursor.take(10)).toEqual(['10', '11']);
  });

  it('stays correct over a long-lived queue that never drains', () => {
    const cursor = new IdRangeCursor();
    let pushed = 0;
    const expected: string[] = [];
    const got: string[] = [];
    for (let round = 0; round < 5000; round++) {
      for (let k = 0; k < 2; k++, pushed++) {
        cursor.push({ start: String(pushed * 10), count: 1 });
        expected.push(String(pushed * 10));
      }
      got.push(cursor.next()!);
    }
    expect(cursor.size).toBe(5000);
    got.push(...cursor.take(Infinity));
    expect(got).toEqual(expected);
  });

  it('validates what is pushed', () => {
    const cursor = new IdRangeCursor();
    expect(() => cursor.push({ start: 'x', count: 1 })).toThrow(expect.objectContaining({ code: 'invalid_id' }));
    expect(cursor.size).toBe(0);
  });
});
