import { describe, expect, it } from 'vitest';
import { DEVICE as PROTOCOL_DEVICE } from '@spear/protocol';
import { DEVICE, resolveOptions, type ConnectOptions } from './options';

const base: ConnectOptions = { ticketUrl: 'http://ticket/', uid: 'alice', token: 't', fetch: async () => new Response() };

describe('resolveOptions', () => {
  it("restates the protocol's DEVICE exactly", () => {
    expect(DEVICE.source).toBe(PROTOCOL_DEVICE.source);
    expect(DEVICE.flags).toBe(PROTOCOL_DEVICE.flags);
  });

  it('applies the defaults: no device (the server says default), acks batched for 1000 ms', () => {
    const o = resolveOptions(base);
    expect(o).not.toHaveProperty('device');
    expect(o).toMatchObject({ ticketUrl: 'http://ticket', ackMode: 'auto', ackDelayMs: 1000, dedupeWindow: 10_000 });
  });

  it('takes a valid device and ackDelayMs', () => {
    for (const device of ['laptop', 'a', 'x'.repeat(64), 'ios:app@2.1_beta-3']) expect(resolveOptions({ ...base, device }).device).toBe(device);
    expect(resolveOptions({ ...base, ackDelayMs: 0 }).ackDelayMs).toBe(0);
  });

  it('refuses a device the server would refuse: RangeError, or TypeError for a non-string', () => {
    for (const device of ['', 'x'.repeat(65), 'my phone', 'é', 'a/b', 'a#b']) expect(() => resolveOptions({ ...base, device }), device).toThrow(RangeError);
    expect(() => resolveOptions({ ...base, device: 42 as unknown as string })).toThrow(TypeError);
  });

  it('refuses an ackDelayMs that is negative, not a number, or beyond what a timer takes', () => {
    for (const ackDelayMs of [-1, NaN, Infinity, 2 ** 31, '5' as unknown as number]) expect(() => resolveOptions({ ...base, ackDelayMs }), String(ackDelayMs)).toThrow(RangeError);
  });
});
