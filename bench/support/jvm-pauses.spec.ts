import { describe, expect, it } from 'vitest';
import { parsePauses } from '../compare/stall-report';
import { jvmPauseLines } from './jvm-pauses';

const LOG = [
  '[1796460360212ms] Using G1',
  '[1796460360310ms] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 6M->4M(130M) 2.881ms',
  '[1796460360310ms] Safepoint "G1CollectForAllocation", Time since last: 83405998 ns, Reaching safepoint: 3045 ns, Cleanup: 24556 ns, At safepoint: 2955756 ns, Total: 2983357 ns',
  '[1796460475478ms] Safepoint "G1CollectForAllocation", Time since last: 1 ns, Reaching safepoint: 1 ns, Cleanup: 1 ns, At safepoint: 1 ns, Total: 15012000 ns',
  '[1796460475541ms] Safepoint "G1PauseRemark", Time since last: 1 ns, Reaching safepoint: 1 ns, Cleanup: 1 ns, At safepoint: 1 ns, Total: 6300000 ns',
  '[1796460475600ms] Safepoint "HandshakeAllThreads", Time since last: 1 ns, Reaching safepoint: 1 ns, Cleanup: 1 ns, At safepoint: 1 ns, Total: 13500000 ns',
  '',
].join('\n');

describe('jvmPauseLines', () => {
  it('turns safepoints into stalls past 12 ms and GC pauses past 4 ms, at the time the log stamps them', () => {
    expect(jvmPauseLines(LOG, 'kafka', 42)).toEqual([
      '1796460475478 kafka:42 stall 15.0',
      '1796460475478 kafka:42 gc-jvm 15.0',
      '1796460475541 kafka:42 gc-jvm 6.3',
      '1796460475600 kafka:42 stall 13.5',
    ]);
  });

  it('writes lines the stall report reads back', () => {
    const pauses = parsePauses(jvmPauseLines(LOG, 'kafka', 42).join('\n'));
    expect(pauses[1]).toEqual({ from: 1796460475478 - 15, to: 1796460475478, role: 'kafka', gc: true });
    expect(pauses[3]).toMatchObject({ role: 'kafka', gc: false });
  });

  it('reads nothing from a log without safepoints', () => {
    expect(jvmPauseLines('[1ms] Using G1\nnot a log line\n', 'kafka', 1)).toEqual([]);
  });
});
