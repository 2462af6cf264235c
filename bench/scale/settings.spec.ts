import { describe, expect, it } from 'vitest';
import { scaleSettings } from './settings';

describe('scaleSettings', () => {
  it('runs every system at 2, 4 and 8 nodes by default, quick or full', () => {
    for (const quick of [true, false]) {
      const s = scaleSettings(quick, {});
      expect(s.systems).toEqual(['spear', 'b0', 'b0s']);
      expect(s.sizes).toEqual([2, 4, 8]);
      expect(s.rates).toContain(s.referenceRate);
      expect(s.fanoutRates).toContain(s.referenceFanoutRate);
    }
  });

  it('takes overrides from the environment', () => {
    const s = scaleSettings(false, { BENCH_SCALE_SYSTEMS: 'b0s, spear', BENCH_SCALE_SIZES: '2,8', BENCH_RATES: '500,1000', BENCH_REFERENCE_RATE: '500', BENCH_USERS: '4000', BENCH_SCALE_WORKLOADS: 'fanout,1:1', BENCH_SCALE_RUNS: '3' });
    expect(s.workloads).toEqual(['1:1', 'fanout']);
    expect(s.runs).toBe(3);
    expect(scaleSettings(false, { BENCH_SCALE_WORKLOADS: '1:1' }).workloads).toEqual(['1:1']);
    expect(s.systems).toEqual(['b0s', 'spear']);
    expect(s.sizes).toEqual([2, 8]);
    expect(s.rates).toEqual([500, 1000]);
    expect(s.referenceRate).toBe(500);
    expect(s.users).toBe(4000);
  });

  it.each([
    [{ BENCH_SCALE_SYSTEMS: 'b1' }, /BENCH_SCALE_SYSTEMS=b1/],
    [{ BENCH_SCALE_SIZES: '1,2' }, /BENCH_SCALE_SIZES must be whole numbers from 2 to 16/],
    [{ BENCH_SCALE_WORKLOADS: 'broadcast' }, /BENCH_SCALE_WORKLOADS=broadcast: expected some of 1:1, fanout/],
    [{ BENCH_SCALE_RUNS: '0' }, /BENCH_SCALE_RUNS must be a whole number from 1 to 9/],
    [{ BENCH_USERS: 'many' }, /BENCH_USERS=many: expected non-negative numbers/],
    [{ BENCH_USERS: '1,2' }, /BENCH_USERS=1,2: expected one number/],
    [{ BENCH_USERS: '60' }, /at least 4 per node per worker/],
    [{ BENCH_USERS: '80000' }, /more than 18,000 users per worker/],
    [{ BENCH_RATES: '2000,1000', BENCH_REFERENCE_RATE: '1000' }, /must go up/],
    [{ BENCH_REFERENCE_RATE: '2500' }, /BENCH_REFERENCE_RATE \(2500\) must be one of BENCH_RATES/],
  ])('refuses %j', (env, message) => {
    expect(() => scaleSettings(false, env)).toThrow(message);
  });
});
