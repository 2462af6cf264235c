import { describe, expect, it } from 'vitest';
import { untilWindowHasRoom } from './sleep';

describe('untilWindowHasRoom', () => {
  it('returns at once when the window has room', async () => {
    const started = Date.now();
    await untilWindowHasRoom(1000, 100, () => 10_200);
    expect(Date.now() - started).toBeLessThan(50);
  });

  it('waits out the rest of a window with too little room', async () => {
    const started = Date.now();
    await untilWindowHasRoom(1000, 500, () => 10_800);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('refuses a need no window can meet', async () => {
    await expect(untilWindowHasRoom(1000, 1000)).rejects.toThrow(/never has/);
  });
});
