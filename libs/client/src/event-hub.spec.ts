import { describe, expect, it } from 'vitest';
import { EventHub } from './event-hub';

interface Events {
  msg: number;
  info: string;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('EventHub', () => {
  it('holds holdable events until the first handler, then hands them over in order, before later ones', async () => {
    const hub = new EventHub<Events>({ holdable: ['msg'], holdLimit: 100 });
    hub.emit('msg', 1);
    hub.emit('msg', 2);
    const got: number[] = [];
    hub.on('msg', (n) => void got.push(n));
    expect(got).toEqual([]); // not inside on()
    hub.emit('msg', 3);
    await tick();
    hub.emit('msg', 4);
    expect(got).toEqual([1, 2, 3, 4]);
  });

  it('does not hold other kinds', () => {
    const hub = new EventHub<Events>({ holdable: ['msg'], holdLimit: 100 });
    hub.emit('info', 'lost');
    const got: string[] = [];
    hub.on('info', (s) => void got.push(s));
    hub.emit('info', 'seen');
    expect(got).toEqual(['seen']);
  });

  it('drops the oldest held event beyond the limit and reports it', async () => {
    const dropped: unknown[] = [];
    const hub = new EventHub<Events>({ holdable: ['msg'], holdLimit: 2, onDropHeld: (_k, p) => dropped.push(p) });
    for (const n of [1, 2, 3]) hub.emit('msg', n);
    const got: number[] = [];
    hub.on('msg', (n) => void got.push(n));
    await tick();
    expect(dropped).toEqual([1]);
    expect(got).toEqual([2, 3]);
  });

  it('settles after every handler, rejected when one throws or rejects, without skipping the others', async () => {
    const outcomes: string[] = [];
    const hub = new EventHub<Events>({
      holdable: [],
      holdLimit: 1,
      onDispatch: (_k, p, settled) => void settled.then(() => outcomes.push(`ok ${String(p)}`), (e: Error) => outcomes.push(`failed ${String(p)}: ${e.message}`)),
    });
    const calls: string[] = [];
    hub.on('msg', async (n) => {
      await tick();
      calls.push(`a${n}`);
    });
    hub.on('msg', (n) => {
      calls.push(`b${n}`);
      if (n === 2) throw new Error('boom');
    });
    hub.emit('msg', 1);
    hub.emit('msg', 2);
    await tick();
    await tick();
    expect(calls.sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(outcomes.sort()).toEqual(['failed 2: boom', 'ok 1']);
  });

  it('off() and the returned function remove a handler', () => {
    const hub = new EventHub<Events>({ holdable: [], holdLimit: 1 });
    const got: string[] = [];
    const h = (s: string) => void got.push(s);
    const stop = hub.on('info', h);
    hub.emit('info', 'a');
    stop();
    hub.emit('info', 'b');
    hub.on('info', h);
    hub.off('info', h);
    hub.emit('info', 'c');
    expect(got).toEqual(['a']);
  });
});
