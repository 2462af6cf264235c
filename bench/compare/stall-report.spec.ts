import { describe, expect, it } from 'vitest';
import { attribute, bySteps, parsePauses, parseSlow, slowLine } from './stall-report';

const pauses = parsePauses(
  [
    '1000 spear:11 stall 40.0', // 960..1000
    '1000 spear:11 gc-minor 20.0', // 980..1000
    '1500 client-worker:12 stall 30.0', // 1470..1500
    '1190 ticket:14 stall 60.0', // 1130..1190
    '3000 b0-server:13 stall 50.0', // after every message below
  ].join('\n'),
);

describe('stall report', () => {
  it('reads both logs', () => {
    expect(pauses[0]).toEqual({ from: 960, to: 1000, role: 'spear', gc: false });
    expect(pauses[1]).toMatchObject({ role: 'spear', gc: true });
    expect(parseSlow(`${slowLine(1, 500.4, 900.2, 990.3)}\n`)).toEqual([{ step: 1, stepStartedAt: 500, sent: 900, received: 990, latencyMs: 90.1 }]);
  });

  it('tells apart two systems\' steps of the same number by their start, whatever the gap between them', () => {
    // Four load clients start step 1 within a few ms (straddling a second), then another system's step 1 starts 3 s later.
    const slow = parseSlow(['1 999 1500 1550 50', '1 1003 1600 1650 50', '2 2500 2600 2640 40', '1 5500 5600 5650 50', '1 998 1700 1750 50'].join('\n'));
    expect(bySteps(slow).map((step) => step.map((m) => `${m.step}@${m.sent}`))).toEqual([['1@1700', '1@1500', '1@1600'], ['2@2600'], ['1@5600']]);
  });

  it('counts each slow message for every role whose stall overlaps it, its GCs, and those nothing explains', () => {
    const slow = parseSlow(
      [
        '1 0 950 1010 60', // spear stall and its GC
        '1 0 1460 1520 60', // the load client's stall
        '1 0 2000 2060 60', // nothing at that time
        '1 0 1465 1480 15', // under the threshold: not counted
      ].join('\n'),
    );
    const [step] = bySteps(slow);
    expect(attribute(step!, pauses, 30)).toMatchObject({ step: 1, slow: 3, byRole: { spear: 1, 'client-worker': 1 }, withGc: 1, unexplained: 1 });
  });

  it('looks for stalls up to the last receipt, not the receipt of the last message sent', () => {
    // Sent first, received last: the ticket stall between the other's receipt and its own is what held it.
    const slow = parseSlow(['1 0 1000 1200 200', '1 0 1100 1120 20'].join('\n'));
    expect(attribute(bySteps(slow)[0]!, pauses, 30)).toMatchObject({ slow: 1, byRole: { ticket: 1 }, unexplained: 0 });
  });
});
