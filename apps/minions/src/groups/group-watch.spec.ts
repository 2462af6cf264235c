import { describe, expect, it } from 'vitest';
import type { Bus, Envelope } from '@spear/bus';
import type { GroupEvent } from '@spear/protocol';
import { GroupWatch } from './group-watch';

/** A bus that records joins and lets the test deliver envelopes; `failStarts` start()s reject (and the bus is closed, as a real one is). */
class RecordingBus implements Bus {
  readonly joined = new Set<string>();
  starts = 0;
  closed = false;
  deliver: (envelope: Envelope) => void = () => undefined;

  constructor(private failStarts = 0) {}

  async start(_nodeId: string, onEnvelope: (envelope: Envelope) => void): Promise<void> {
    this.starts++;
    if (this.failStarts-- > 0) throw new Error('engine down');
    this.deliver = onEnvelope;
  }
  publishToNodes = async (): Promise<void> => undefined;
  publishToGroup = async (): Promise<void> => undefined;
  publishBroadcast = async (): Promise<void> => undefined;
  async joinGroup(group: string): Promise<void> {
    this.joined.add(group);
  }
  async leaveGroup(group: string): Promise<void> {
    this.joined.delete(group);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const message = (group: string, id: string): Envelope => ({ t: 'group', p: { id, group, from: 'u', body: id, ts: 1 } });

describe('GroupWatch', () => {
  it('starts the bus once, joins a group while it has watchers and hands each its group only', async () => {
    const bus = new RecordingBus();
    const watch = new GroupWatch(() => bus, 'minions-watch-1', { maxWatches: 10 });
    const seen: Record<string, string[]> = { a1: [], a2: [], b: [] };
    const stopA1 = await watch.watch('a', (m: GroupEvent) => seen.a1!.push(m.id));
    const stopA2 = await watch.watch('a', (m) => seen.a2!.push(m.id));
    const stopB = await watch.watch('b', (m) => seen.b!.push(m.id));
    expect(bus.starts).toBe(1);
    expect([...bus.joined].sort()).toEqual(['a', 'b']);

    bus.deliver(message('a', '1'));
    bus.deliver(message('b', '2'));
    bus.deliver(message('c', '3')); // nobody watches c
    bus.deliver({ t: 'broadcast', p: { id: '4', body: null, ts: 1 } });
    expect(seen).toEqual({ a1: ['1'], a2: ['1'], b: ['2'] });

    stopA1();
    stopA1(); // idempotent: does not take a2's place
    await Promise.resolve();
    expect(bus.joined.has('a')).toBe(true);
    bus.deliver(message('a', '5'));
    expect(seen.a1).toEqual(['1']);
    expect(seen.a2).toEqual(['1', '5']);
    stopA2();
    stopB();
    await new Promise((r) => setImmediate(r));
    expect(bus.joined.size).toBe(0);
    await watch.close();
    expect(bus.closed).toBe(true);
  });

  it('refuses watches past the limit with rate_limited, and frees the slot when one closes', async () => {
    const watch = new GroupWatch(() => new RecordingBus(), 'w', { maxWatches: 2 });
    const stop = await watch.watch('a', () => undefined);
    await watch.watch('b', () => undefined);
    await expect(watch.watch('c', () => undefined)).rejects.toMatchObject({ response: { error: { code: 'rate_limited' } } });
    stop();
    await expect(watch.watch('c', () => undefined)).resolves.toBeTypeOf('function');
  });

  it('answers a failed bus start with an error, closes that bus and starts a new one on the next watch', async () => {
    const buses: RecordingBus[] = [];
    const watch = new GroupWatch(() => buses[buses.push(new RecordingBus(buses.length === 0 ? 1 : 0)) - 1]!, 'w', { maxWatches: 1 });
    await expect(watch.watch('a', () => undefined)).rejects.toMatchObject({ response: { error: { code: 'internal' } } });
    expect(buses[0]!.closed).toBe(true);
    // The failed watch gave its slot back (the limit is 1).
    await watch.watch('a', () => undefined);
    expect(buses).toHaveLength(2);
    expect(buses[1]!.joined.has('a')).toBe(true);
  });
});
