import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_WEIGHT, MAX_NODE_WEIGHT, parseSpearNodeEntries, parseSpearNodeEntry } from './spear-node-entry';

describe('parseSpearNodeEntry', () => {
  it('reads what a spear node writes', () => {
    expect(parseSpearNodeEntry('spear-1', { url: 'http://127.0.0.1:8101', weight: 2, startedAt: 5 })).toEqual({ id: 'spear-1', url: 'http://127.0.0.1:8101', weight: 2, startedAt: 5 });
  });

  it('falls back to weight 1 when the weight is absent or unusable', () => {
    for (const weight of [undefined, null, 0, -3, 'x', '', ' ', Number.NaN, Number.POSITIVE_INFINITY, true, {}, [2]]) {
      expect(parseSpearNodeEntry('n', { url: 'u', weight })?.weight, String(weight)).toBe(DEFAULT_NODE_WEIGHT);
    }
    // A numeric string counts, as it did for both readers before this parser.
    expect(parseSpearNodeEntry('n', { url: 'u', weight: '3' })?.weight).toBe(3);
    expect(parseSpearNodeEntry('n', { url: 'u', weight: 0.5 })?.weight).toBe(0.5);
  });

  it('caps a huge weight so a stray value cannot make the ring enormous', () => {
    expect(parseSpearNodeEntry('n', { url: 'u', weight: 1e12 })?.weight).toBe(MAX_NODE_WEIGHT);
  });

  it('drops a node without a url: nobody could be sent there', () => {
    for (const data of [null, undefined, 'http://x', {}, { url: '' }, { url: 42 }, { weight: 1 }]) {
      expect(parseSpearNodeEntry('n', data), JSON.stringify(data)).toBeUndefined();
    }
  });

  it('ignores a startedAt that is not a finite number', () => {
    expect(parseSpearNodeEntry('n', { url: 'u', startedAt: 'yesterday' })).toEqual({ id: 'n', url: 'u', weight: 1 });
  });
});

describe('parseSpearNodeEntries', () => {
  it('keeps the usable children in registry order', () => {
    const entries = [
      { name: 'b', data: { url: 'ub', weight: 2 } },
      { name: 'x', data: { weight: 2 } },
      { name: 'a', data: { url: 'ua' } },
    ];
    expect(parseSpearNodeEntries(entries)).toEqual([
      { id: 'b', url: 'ub', weight: 2 },
      { id: 'a', url: 'ua', weight: 1 },
    ]);
  });
});
