import { describe, expect, it } from 'vitest';
import { decodeWire, encodeBatch, encodeEnvelope, type WireEnvelope } from './envelope-codec';
import { broadcast, groupMessage, message } from './test-support/envelopes';

describe('envelope codec', () => {
  it('round-trips every envelope kind', () => {
    for (const envelope of [message('m'), groupMessage('g', 'room'), broadcast('b')]) {
      expect(decodeWire(encodeEnvelope(envelope))).toEqual({ envelopes: [envelope], dropped: 0 });
    }
  });

  it('round-trips a batch, and sends a batch of one as the envelope itself', () => {
    const envelopes = [message('1'), message('2'), message('3')];
    const wire = encodeBatch(envelopes.map(encodeEnvelope));
    expect(JSON.parse(wire)).toEqual({ t: 'batch', p: envelopes } satisfies WireEnvelope);
    expect(decodeWire(wire)).toEqual({ envelopes, dropped: 0 });
    // One envelope, encoded once: message() stamps the time, and two calls may fall in different milliseconds.
    const one = encodeEnvelope(message('1'));
    expect(encodeBatch([one])).toBe(one);
  });

  it('returns null for text that is not an envelope', () => {
    for (const text of ['', 'not json', 'null', '42', '[]', '{"t":"msg"}', '{"t":"nope","p":{}}', '{"t":"batch","p":{}}']) {
      expect(decodeWire(text)).toBeNull();
    }
  });
});
