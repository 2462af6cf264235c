import { describe, expect, it } from 'vitest';
import type { Envelope } from './bus';
import { deliver } from './deliver';
import { encodeEnvelope } from './envelope-codec';
import { silentLogger } from './logger';

const msg = (id: string): Envelope => ({ t: 'msg', p: { id, from: 'a', to: 'b', body: id, ts: 1 } });

describe('batch envelopes', () => {
  it('reach the handler one by one, in order', () => {
    const got: string[] = [];
    deliver(encodeEnvelope({ t: 'batch', p: [msg('1'), msg('2'), msg('3')] }), (e) => got.push((e.p as { id: string }).id), silentLogger, {});
    expect(got).toEqual(['1', '2', '3']);
  });

  it('drop a batch whose p is not a list, and nested batches', () => {
    const got: Envelope[] = [];
    deliver(JSON.stringify({ t: 'batch', p: { not: 'a list' } }), (e) => got.push(e), silentLogger, {});
    deliver(encodeEnvelope({ t: 'batch', p: [{ t: 'batch', p: [msg('9')] }] }), (e) => got.push(e), silentLogger, {});
    expect(got).toEqual([]);
  });
});
