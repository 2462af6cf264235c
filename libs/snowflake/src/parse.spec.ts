import { describe, expect, it } from 'vitest';
import { composeId, parseId } from './parse';
import { DEFAULT_EPOCH_MS, MAX_ID, MAX_TIMESTAMP } from './layout';
import { SnowflakeError } from './errors';

/** The id for the fields, by the layout's definition, computed independently of the library. */
function byHand(msSinceEpoch: bigint, worker: bigint, sequence: bigint): string {
  return String(msSinceEpoch * 2n ** 22n + worker * 2n ** 12n + sequence);
}

describe('parseId', () => {
  it('reads known vectors', () => {
    // 2024-01-01T00:00:00.000Z is the default epoch, so ms 0.
    expect(byHand(0n, 0n, 0n)).toBe('0');
    expect(parseId('0')).toEqual({ timestamp: DEFAULT_EPOCH_MS, workerId: 0, sequence: 0 });

    // 1 ms after the epoch, worker 1, sequence 1: 4194304 + 4096 + 1.
    expect(byHand(1n, 1n, 1n)).toBe('4198401');
    expect(parseId('4198401')).toEqual({ timestamp: DEFAULT_EPOCH_MS + 1, workerId: 1, sequence: 1 });

    // 2025-06-15T12:34:56.789Z is ms 45923696789; worker 513, sequence 4095:
    // 45923696789 * 4194304 + 513 * 4096 + 4095.
    const t = Date.UTC(2025, 5, 15, 12, 34, 56, 789);
    expect(t - DEFAULT_EPOCH_MS).toBe(45923696789);
    const id = byHand(45923696789n, 513n, 4095n);
    expect(id).toBe('192617945138995199');
    expect(parseId(id)).toEqual({ timestamp: t, workerId: 513, sequence: 4095 });
    expect(parseId(BigInt(id))).toEqual({ timestamp: t, workerId: 513, sequence: 4095 });

    // Every field at its maximum is 2^63 - 1.
    expect(byHand(BigInt(MAX_TIMESTAMP), 1023n, 4095n)).toBe(MAX_ID);
    expect(parseId(MAX_ID)).toEqual({ timestamp: DEFAULT_EPOCH_MS + MAX_TIMESTAMP, workerId: 1023, sequence: 4095 });
  });

  it('applies a custom epoch', () => {
    expect(parseId('4198401', 1_000)).toEqual({ timestamp: 1_001, workerId: 1, sequence: 1 });
  });

  it('refuses non-ids', () => {
    for (const bad of ['', '-1', '01', '1.5', 'x', String(2n ** 63n)]) {
      expect(() => parseId(bad), bad).toThrow(expect.objectContaining({ code: 'invalid_id' }));
    }
    expect(() => parseId(-1n)).toThrow(SnowflakeError);
    expect(() => parseId(2n ** 63n)).toThrow(SnowflakeError);
    expect(() => parseId('1', 1.5)).toThrow(expect.objectContaining({ code: 'invalid_option' }));
  });
});

describe('composeId', () => {
  it('inverts parseId', () => {
    const t = Date.UTC(2025, 5, 15, 12, 34, 56, 789);
    expect(composeId({ timestamp: t, workerId: 513, sequence: 4095 })).toBe('192617945138995199');
    expect(composeId({ timestamp: 1_001, workerId: 1, sequence: 1 }, 1_000)).toBe('4198401');
  });

  it('refuses fields outside the layout', () => {
    const ok = { timestamp: DEFAULT_EPOCH_MS, workerId: 0, sequence: 0 };
    for (const bad of [
      { ...ok, timestamp: DEFAULT_EPOCH_MS - 1 },
      { ...ok, timestamp: DEFAULT_EPOCH_MS + MAX_TIMESTAMP + 1 },
      { ...ok, workerId: 1024 },
      { ...ok, workerId: -1 },
      { ...ok, sequence: 4096 },
      { ...ok, sequence: 0.5 },
    ]) {
      expect(() => composeId(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    }
  });
});
