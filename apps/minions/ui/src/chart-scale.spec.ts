import { describe, expect, it } from 'vitest';
import { nearestWithValue, niceCeiling, timeTicks } from './chart-scale';

describe('chart scales', () => {
  it('puts time ticks on round clock steps inside the range, never more than asked', () => {
    const t0 = Date.UTC(2026, 11, 3, 12, 0, 3);
    expect(timeTicks(t0, t0 + 60_000)).toEqual([15, 30, 45, 60].map((s) => t0 - 3000 + s * 1000)); // a minute: every 15 s
    const five = timeTicks(t0, t0 + 300_000);
    expect(five.length).toBeLessThanOrEqual(5);
    expect(five.every((t) => t % 60_000 === 0 && t >= t0 && t <= t0 + 300_000)).toBe(true);
    expect(timeTicks(t0, t0 + 4000, 5)).toEqual([0, 1, 2, 3, 4].map((i) => t0 + i * 1000)); // t0 is on a second
    expect(timeTicks(t0, t0)).toEqual([t0]);
  });

  it('rounds the axis top up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 0.3, 1, 3, 7, 10, 11, 260, 999].map(niceCeiling)).toEqual([1, 0.5, 1, 5, 10, 10, 20, 500, 1000]);
  });

  it('finds the point nearest in time that has a value, skipping gaps', () => {
    const points: Array<[number, number | null]> = [[0, 1], [10, null], [20, 3]];
    expect(nearestWithValue(points, 9)).toBe(0);
    expect(nearestWithValue(points, 11)).toBe(2); // 10 is a gap; 20 is nearer than 0
    expect(nearestWithValue(points, -5)).toBe(0);
    expect(nearestWithValue([[0, null]], 0)).toBe(-1);
  });
});
