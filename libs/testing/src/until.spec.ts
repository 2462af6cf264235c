import { describe, expect, it } from 'vitest';
import { pollUntil, until } from './until';

describe('until', () => {
  it('resolves once the condition holds', async () => {
    let n = 0;
    await until(() => ++n >= 3, 1000);
    expect(n).toBe(3);
  });

  it('rejects naming the condition when it never holds', async () => {
    await expect(until(() => false, 50, 'the moon')).rejects.toThrow('the moon not met within 50 ms');
  });
});

describe('pollUntil', () => {
  it('returns the first value that satisfies the check, retrying through failures', async () => {
    let n = 0;
    const probe = async () => {
      if (++n < 2) throw new Error('not yet');
      return n;
    };
    expect(await pollUntil(probe, (v) => v >= 3, 2000)).toBe(3);
  });

  it('returns the last value seen when time runs out', async () => {
    expect(await pollUntil(async () => 'still', (v) => v === 'done', 50)).toBe('still');
  });

  it('throws the probe error when it never succeeded', async () => {
    await expect(pollUntil(async () => Promise.reject(new Error('down')), () => true, 50)).rejects.toThrow('down');
  });
});
