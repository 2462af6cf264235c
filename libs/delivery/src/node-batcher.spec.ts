import { describe, expect, it } from 'vitest';
import type { Bus, Envelope } from '@spear/bus';
import { NodeBatcher } from './node-batcher';

function recordingBus() {
  const sent: Array<{ nodes: readonly string[]; envelope: Envelope }> = [];
  const bus = { publishToNodes: async (nodes: readonly string[], envelope: Envelope) => void sent.push({ nodes, envelope }) } as unknown as Bus;
  return { bus, sent };
}
const msg = (id: string): Envelope => ({ t: 'msg', p: { id, from: 'a', to: 'b', body: id, ts: 1 } });

describe('NodeBatcher', () => {
  it('sends one publish per destination per turn, in enqueue order', async () => {
    const { bus, sent } = recordingBus();
    const batcher = new NodeBatcher(bus);
    batcher.enqueue(['n1'], msg('1'));
    batcher.enqueue(['n1', 'n2'], msg('2'));
    batcher.enqueue(['n1'], msg('3'));
    expect(sent).toHaveLength(0);
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([
      { nodes: ['n1'], envelope: { t: 'batch', p: [msg('1'), msg('2'), msg('3')] } },
      { nodes: ['n2'], envelope: msg('2') },
    ]);
  });

  it('flushes within the window when one is set', async () => {
    const { bus, sent } = recordingBus();
    new NodeBatcher(bus, 1).enqueue(['n1'], msg('1'));
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual([{ nodes: ['n1'], envelope: msg('1') }]);
  });
});

describe('NodeBatcher.enqueue', () => {
  it('resolves once the publish carrying the envelope was answered, also when it failed', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const errors: unknown[] = [];
    const bus = { publishToNodes: async (nodes: readonly string[]) => (nodes[0] === 'bad' ? Promise.reject(new Error('down')) : gate) } as unknown as Bus;
    const batcher = new NodeBatcher(bus, 0, (e) => void errors.push(e));
    let ok = false;
    let failed = false;
    void batcher.enqueue(['n1'], msg('1')).then(() => (ok = true));
    void batcher.enqueue(['bad'], msg('2')).then(() => (failed = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(failed).toBe(true); // settled, not rejected
    expect(errors).toHaveLength(1);
    expect(ok).toBe(false); // its publish is still in flight
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(ok).toBe(true);
  });
});

describe('NodeBatcher.enqueue bound', () => {
  it('resolves after maxWaitMs when the bus does not answer', async () => {
    const bus = { publishToNodes: () => new Promise(() => undefined) } as unknown as Bus;
    const batcher = new NodeBatcher(bus, 0, undefined, 30);
    const started = Date.now();
    await batcher.enqueue(['n1'], msg('1'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
