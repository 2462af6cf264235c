import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Envelope } from './bus';
import { DirectedBatcher, type DirectedBatch, type DirectedSend } from './directed-batcher';
import { decodeWire } from './envelope-codec';
import { idOf, message } from './test-support/envelopes';

/** A sink that records each window's batches and lets the test answer it. */
function fakeEngine() {
  const sends: DirectedBatch[][] = [];
  const answers: Array<{ answer: (results: Array<Error | null>) => void; fail: (error: Error) => void }> = [];
  const sink = (batches: readonly DirectedBatch[]): DirectedSend => {
    sends.push([...batches]);
    const results = new Promise<Array<Error | null>>((answer, fail) => answers.push({ answer, fail }));
    return { results };
  };
  return { sink, sends, answers };
}

/** What a receiver would get from each wire message: the ids, in order. */
const ids = (batch: DirectedBatch) => batch.messages.flatMap((text) => decodeWire(text)!.envelopes.map(idOf));
const turn = () => new Promise((resolve) => setImmediate(resolve));
const settled = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: Error) => error.message);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('DirectedBatcher', () => {
  it('sends one wire message per destination per turn, in call order', async () => {
    const engine = fakeEngine();
    const batcher = new DirectedBatcher(engine.sink, { label: 'Test' });
    void batcher.enqueue(['n1'], message('1'));
    void batcher.enqueue(['n1', 'n2', 'n1'], message('2')); // a repeated id counts once
    void batcher.enqueue(['n1'], message('3'));
    await expect(batcher.enqueue([], message('nobody'))).resolves.toBeUndefined();
    expect(engine.sends).toHaveLength(0);
    await turn();
    expect(engine.sends).toHaveLength(1);
    const [toN1, toN2] = engine.sends[0]!;
    expect(toN1!.messages).toHaveLength(1);
    expect([toN1!.nodeId, ids(toN1!)]).toEqual(['n1', ['1', '2', '3']]);
    // A single envelope travels as itself, without a batch wrapper.
    expect([toN2!.nodeId, JSON.parse(toN2!.messages[0]!).t]).toEqual(['n2', 'msg']);
  });

  it('hands windows to the sink in order', async () => {
    const engine = fakeEngine();
    const batcher = new DirectedBatcher(engine.sink, { label: 'Test' });
    void batcher.enqueue(['n1'], message('1'));
    await turn();
    void batcher.enqueue(['n1'], message('2'));
    await turn();
    expect(engine.sends.map((send) => ids(send[0]!))).toEqual([['1'], ['2']]);
  });

  it('flushes within the window when one is set', async () => {
    const engine = fakeEngine();
    void new DirectedBatcher(engine.sink, { label: 'Test', windowMs: 1 }).enqueue(['n1'], message('1'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(engine.sends.map((send) => send.map(ids))).toEqual([[['1']]]);
  });

  it('splits a large batch into several wire messages, in order', async () => {
    const engine = fakeEngine();
    const batcher = new DirectedBatcher(engine.sink, { label: 'Test' });
    const big = (id: string): Envelope => ({ t: 'broadcast', p: { id, body: 'x'.repeat(30_000), ts: 1 } });
    const sent = Array.from({ length: 10 }, (_, i) => String(i));
    for (const id of sent) void batcher.enqueue(['n1'], big(id));
    await turn();
    const [batch] = engine.sends[0]!;
    expect(batch!.messages.length).toBeGreaterThan(1);
    for (const text of batch!.messages) expect(text.length).toBeLessThanOrEqual(128 * 1024 + 64);
    expect(ids(batch!)).toEqual(sent);
  });
});

describe('DirectedBatcher with holdWhileSendingMs', () => {
  // Fake timeouts (the hold's and the wait bound's), real setImmediate (the turns): a loaded machine cannot fire the hold early.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends at the end of the turn when nothing is in flight, and gathers the turns after it until the answer', async () => {
    const engine = fakeEngine();
    const batcher = new DirectedBatcher(engine.sink, { label: 'Test', holdWhileSendingMs: 1 });
    const first = batcher.enqueue(['n1'], message('1'));
    await turn();
    expect(engine.sends).toHaveLength(1); // idle: no hold
    const later = [batcher.enqueue(['n1'], message('2'))];
    await turn();
    later.push(batcher.enqueue(['n1', 'n2'], message('3')));
    await turn();
    expect(engine.sends).toHaveLength(1); // held behind the unanswered send
    engine.answers[0]!.answer([null]);
    await first;
    expect(engine.sends.map((send) => send.map((batch) => [batch.nodeId, ids(batch)]))).toEqual([
      [['n1', ['1']]],
      [
        ['n1', ['2', '3']],
        ['n2', ['3']],
      ],
    ]);
    engine.answers[1]!.answer([null, null]);
    await expect(Promise.all(later)).resolves.toBeDefined();
  });

  it('sends a held window after the hold when the answer is late, keeping the order', async () => {
    const engine = fakeEngine();
    const batcher = new DirectedBatcher(engine.sink, { label: 'Test', holdWhileSendingMs: 1 });
    void batcher.enqueue(['n1'], message('1'));
    await turn();
    void batcher.enqueue(['n1'], message('2'));
    await turn();
    expect(engine.sends).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(engine.sends.map((send) => ids(send[0]!))).toEqual([['1'], ['2']]);
    // Two in flight: the next window waits for both answers, not only the first.
    void batcher.enqueue(['n1'], message('3'));
    await turn();
    engine.answers[0]!.answer([null]);
    await turn();
    expect(engine.sends).toHaveLength(2);
    engine.answers[1]!.answer([null]);
    await turn();
    expect(engine.sends.map((send) => ids(send[0]!))).toEqual([['1'], ['2'], ['3']]);
  });

  it('sends a held window as soon as the send before it times out, before any window after it', async () => {
    const engine = fakeEngine();
    const batcher = new DirectedBatcher(engine.sink, { label: 'Test', holdWhileSendingMs: 1, waitMs: 0.5 });
    const first = settled(batcher.enqueue(['n1'], message('1')));
    await turn();
    const held = settled(batcher.enqueue(['n1'], message('2')));
    await turn();
    expect(engine.sends).toHaveLength(1);
    vi.advanceTimersByTime(0.5); // '1' gets no answer within its bound: it frees the window held behind it, before the hold ends
    expect(engine.sends.map((send) => ids(send[0]!))).toEqual([['1'], ['2']]);
    expect(await first).toBe('Test: publish failed: no answer within 0.5 ms');
    void batcher.enqueue(['n1'], message('3')).catch(() => undefined);
    await turn();
    expect(engine.sends.map((send) => ids(send[0]!))).toEqual([['1'], ['2'], ['3']]);
    // Opened in the same (fake) millisecond, the held window's own bound has passed too: its callers are freed, its send stands.
    expect(await held).toBe('Test: publish failed: no answer within 0.5 ms');
  });

  it('sends nothing held once closed, and rejects its callers', async () => {
    const engine = fakeEngine();
    const batcher = new DirectedBatcher(engine.sink, { label: 'Test', holdWhileSendingMs: 1 });
    void batcher.enqueue(['n1'], message('1')).catch(() => undefined);
    await turn();
    const held = batcher.enqueue(['n1'], message('2'));
    await turn();
    batcher.close(new Error('Test: closed'));
    await expect(held).rejects.toThrow('Test: closed');
    vi.advanceTimersByTime(20);
    expect(engine.sends).toHaveLength(1);
  });
});

describe('DirectedBatcher.enqueue', () => {
  it('resolves once the engine accepted the publish, and rejects when it refused it', async () => {
    const engine = fakeEngine();
    const batcher = new DirectedBatcher(engine.sink, { label: 'Test' });
    const ok = batcher.enqueue(['n1'], message('1'));
    const refused = batcher.enqueue(['bad'], message('2'));
    const both = batcher.enqueue(['n1', 'bad'], message('3'));
    let okDone = false;
    void ok.then(() => (okDone = true));
    await turn();
    expect(okDone).toBe(false); // not before the engine answered
    engine.answers[0]!.answer([null, new Error('refused')]);
    expect(await Promise.all([settled(ok), settled(refused), settled(both)])).toEqual(['resolved', 'refused', 'refused']);
  });

  it('rejects every caller of a window whose send failed, and goes on with the next window', async () => {
    const engine = fakeEngine();
    const batcher = new DirectedBatcher(engine.sink, { label: 'Test' });
    const first = [batcher.enqueue(['n1'], message('1')), batcher.enqueue(['n2'], message('2'))];
    await turn();
    engine.answers[0]!.fail(new Error('connection lost'));
    expect(await Promise.all(first.map(settled))).toEqual(['connection lost', 'connection lost']);
    const next = batcher.enqueue(['n1'], message('3'));
    await turn();
    engine.answers[1]!.answer([null]);
    await expect(next).resolves.toBeUndefined();
  });

  it('rejects a window whose sink threw', async () => {
    const batcher = new DirectedBatcher(
      () => {
        throw new Error('bad node id');
      },
      { label: 'Test' },
    );
    await expect(batcher.enqueue(['n1'], message('1'))).rejects.toThrow('bad node id');
  });
});

describe('DirectedBatcher.enqueue bound', () => {
  it('rejects after waitMs from the call when the engine does not answer; the send itself stands', async () => {
    const engine = fakeEngine();
    const batcher = new DirectedBatcher(engine.sink, { label: 'Test', waitMs: 30 });
    const started = Date.now();
    await expect(batcher.enqueue(['n1'], message('1'))).rejects.toThrow('Test: publish failed: no answer within 30 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(engine.sends.flatMap((send) => send.map(ids))).toEqual([['1']]);
    engine.answers[0]!.answer([null]); // a late answer changes nothing
  });

  it('uses one timer per window, not per envelope or destination', async () => {
    const engine = fakeEngine();
    const batcher = new DirectedBatcher(engine.sink, { label: 'Test' });
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const clearTimeoutSpy = vi.spyOn(globalThis, 'clearTimeout');
    const pending = Array.from({ length: 1_000 }, (_, i) => batcher.enqueue([`n${i % 3}`], message(String(i))));
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    await turn();
    engine.answers[0]!.answer([null, null, null]);
    await Promise.all(pending);
    // The answer cleared it: no timer outlives the publish.
    expect(clearTimeoutSpy).toHaveBeenCalledWith(setTimeoutSpy.mock.results[0]!.value);
  });
});

describe('DirectedBatcher on a stalled event loop', () => {
  it('still sends a window that expired before its flush (late beats never), and starts a new one for later calls', async () => {
    const engine = fakeEngine();
    const batcher = new DirectedBatcher(engine.sink, { label: 'Test', waitMs: 5 });
    // From a setImmediate callback, the flush's own setImmediate waits for the next loop iteration, whose
    // timers phase comes first: stalling here lets the wait bound fire before the flush, as a busy loop would.
    const { expired, later } = await new Promise<{ expired: Promise<string>; later: Promise<void> }>((resolve) =>
      setImmediate(() => {
        const expired = settled(batcher.enqueue(['n1'], message('1')));
        // Created after the bound's timer with the same delay: runs right after it, still before the flush.
        setTimeout(() => resolve({ expired, later: batcher.enqueue(['n1'], message('2')) }), 5);
        const until = Date.now() + 20;
        while (Date.now() < until);
      }),
    );
    expect(await expired).toBe('Test: publish failed: no answer within 5 ms');
    await turn();
    engine.answers.at(-1)!.answer([null]);
    await expect(later).resolves.toBeUndefined();
    expect(engine.sends.flatMap((send) => send.map(ids))).toEqual([['1'], ['2']]);
  });
});

describe('DirectedBatcher.close', () => {
  it('rejects queued and in-flight publishes, sends nothing more, and refuses later ones', async () => {
    const engine = fakeEngine();
    const batcher = new DirectedBatcher(engine.sink, { label: 'Test' });
    const inFlight = batcher.enqueue(['n1'], message('1'));
    await turn();
    const queued = batcher.enqueue(['n1'], message('2'));
    batcher.close(new Error('Test: closed'));
    expect(await Promise.all([settled(inFlight), settled(queued)])).toEqual(['Test: closed', 'Test: closed']);
    await turn();
    expect(engine.sends).toHaveLength(1);
    await expect(batcher.enqueue(['n1'], message('3'))).rejects.toThrow('Test: closed');
  });
});

describe('DirectedBatcher options', () => {
  it('refuses a window or hold above 1 ms and a wait bound not above the window, naming the option', () => {
    const sink = fakeEngine().sink;
    expect(() => new DirectedBatcher(sink, { label: 'Test', windowMs: 5 })).toThrow(/batchWindowMs/);
    expect(() => new DirectedBatcher(sink, { label: 'Test', windowMs: -1 })).toThrow(/batchWindowMs/);
    expect(() => new DirectedBatcher(sink, { label: 'Test', waitMs: 0 })).toThrow(/publishWaitMs/);
    expect(() => new DirectedBatcher(sink, { label: 'Test', windowMs: 1, waitMs: 1 })).toThrow(/publishWaitMs/);
    expect(() => new DirectedBatcher(sink, { label: 'Test', waitMs: Number.NaN })).toThrow(/publishWaitMs/);
    expect(() => new DirectedBatcher(sink, { label: 'Test', holdWhileSendingMs: 2 })).toThrow(/holdWhileSendingMs/);
    expect(() => new DirectedBatcher(sink, { label: 'Test', holdWhileSendingMs: -1 })).toThrow(/holdWhileSendingMs/);
  });
});
