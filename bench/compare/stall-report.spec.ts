import { describe, expect, it } from 'vitest';
import { attribute, byStepRun, parsePauses, parseSlow } from './stall-report';

const pauses = parsePauses(
  [
    '1000 spear:11 stall 40.0', // 960..1000
    '1000 spear:11 gc1 20.0', // 980..1000
    '1500 client-worker:12 stall 30.0', // 1470..1500
    '3000 b0-server:13 stall 50.0', // unrelated to the messages below
  ].join('\n'),
);

describe('stall report', () => {
  it('reads both logs', () => {
    expect(pauses[0]).toEqual({ from: 960, to: 1000, role: 'spear', gc: false });
    expect(pauses[1]).toMatchObject({ role: 'spear', gc: true });
    expect(parseSlow('1 900 990 90.0\n')).toEqual([{ step: 1, sent: 900, received: 990, latencyMs: 90 }]);
  });

  it('puts the same step number of two systems in two runs, apart by time', () => {
    const slow = parseSlow(['1 100 150 50', '2 6000 6040 40', '1 200 250 50', '1 90000 90050 50'].join('\n'));
    expect(byStepRun(slow).map((run) => run.map((m) => `${m.step}@${m.sent}`))).toEqual([['1@100', '1@200'], ['2@6000'], ['1@90000']]);
  });

  it('counts each slow message for every role whose stall overlaps it, its GCs, and those nothing explains', () => {
    const slow = parseSlow(
      [
        '1 950 1010 60', // spear stall and its GC
        '1 1460 1520 60', // the load client's stall
        '1 2000 2060 60', // nothing at that time
        '1 1465 1480 15', // under the threshold: not counted
      ].join('\n'),
    );
    const [run] = byStepRun(slow);
    expect(attribute(run!, pauses, 30)).toEqual({ step: 1, startedAt: 950, slow: 3, byRole: { spear: 1, 'client-worker': 1 }, withGc: 1, unexplained: 1 });
  });
});
