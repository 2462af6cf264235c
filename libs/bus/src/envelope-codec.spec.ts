import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from './envelope-codec';
import { broadcast, groupMessage, message } from './test-support/envelopes';

describe('envelope codec', () => {
  it('round-trips every envelope kind', () => {
    for (const envelope of [message('m'), groupMessage('g', 'room'), broadcast('b')]) {
      expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
    }
  });

  it('returns null for text that is not an envelope', () => {
    for (const text of ['', 'not json', 'null', '42', '[]', '{"t":"msg"}', '{"t":"nope","p":{}}']) {
      expect(decodeEnvelope(text)).toBeNull();
    }
  });
});
