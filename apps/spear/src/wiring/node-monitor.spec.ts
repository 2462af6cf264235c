import { describe, expect, it } from 'vitest';
import type { Bus } from '@spear/bus';
import { NodeMonitor } from './node-monitor';

const gauges = { connections: () => 3, users: () => 2, groups: () => 1 };

describe('NodeMonitor', () => {
  it('turns counts into per-second rates over the interval and starts over', () => {
    const m = new NodeMonitor(gauges);
    m.stored('send');
    m.stored('send');
    m.stored('publish');
    m.emitted(30);
    m.emitted(10);
    const now = 1_000_000;
    m.consumed({ t: 'msg', p: { id: '1', from: 'a', to: 'b', body: 1, ts: now - 5 } }, now);
    m.consumed({ t: 'broadcast', p: { id: '2', body: 1, ts: now - 50 } }, now);
    const r = m.collect(2000);
    expect(r).toMatchObject({ connections: 3, users: 2, groups: 1, msgsInPerSec: 1.5, inboxWritesPerSec: 1, msgsOutPerSec: 20, busConsumedPerSec: 1, busLagP99Ms: 50 });
    expect(r.rssBytes).toBeGreaterThan(0);
    expect(m.collect(1000)).toMatchObject({ msgsInPerSec: 0, msgsOutPerSec: 0, busConsumedPerSec: 0, busLagP99Ms: 0 });
    m.stop();
  });

  it('counts publishes through the wrapped bus', async () => {
    const calls: string[] = [];
    const bus = { publishToNodes: async () => void calls.push('n'), publishToGroup: async () => void calls.push('g'), publishBroadcast: async () => void calls.push('b') } as unknown as Bus;
    const m = new NodeMonitor(gauges);
    const counted = m.countingBus(bus);
    const env = { t: 'broadcast' as const, p: { id: '1', body: 1, ts: 1 } };
    await counted.publishToNodes(['x'], env);
    await counted.publishToGroup('g', env);
    await counted.publishBroadcast(env);
    expect(calls).toEqual(['n', 'g', 'b']);
    expect(m.collect(1000).busPublishedPerSec).toBe(3);
    m.stop();
  });
});
