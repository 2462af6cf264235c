/** Steps a time axis may use, in ms: round clock intervals. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400].map((s) => s * 1000);

/** Tick times (multiples of a round step) within [t0, t1], at most `maxTicks` of them. */
export function timeTicks(t0: number, t1: number, maxTicks = 5): number[] {
  if (!(t1 > t0)) return [t0];
  const step = TIME_STEPS.find((s) => (t1 - t0) / s <= maxTicks) ?? TIME_STEPS.at(-1)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) ticks.push(t);
  return ticks;
}

/** The smallest 1, 2 or 5 times a power of ten at or above `max` (the y axis top); 1 for nothing to show. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= max * (1 - 1e-9))!;
}

/** The index of the point with a value nearest in time to `t` (points sorted by time); -1 when none has a value. */
export function nearestWithValue(points: ReadonlyArray<readonly [number, number | null]>, t: number): number {
  let best = -1;
  for (let i = 0; i < points.length; i++) {
    if (points[i]![1] === null) continue;
    if (best === -1 || Math.abs(points[i]![0] - t) < Math.abs(points[best]![0] - t)) best = i;
  }
  return best;
}
