import { describe, expect, it } from 'vitest';
import type { Envelope } from './bus';
import { deliver } from './deliver';
import { encodeBatch, encodeEnvelope } from './envelope-codec';
import type { BusLogger } from './logger';
import { silentLogger } from './logger';
import { idOf, message } from './test-support/envelopes';

const ids = (got: Envelope[]) => got.map(idOf);

function recordingLogger() {
  const lines: string[] = [];
  const log = (_fields: object, text?: string) => void lines.push(text ?? '');
  const logger: BusLogger = { debug: log, info: log, warn: log, error: log };
  return { logger, lines };
}

describe('batch envelopes', () => {
  it('reach the handler one by one, in order', () => {
    const got: Envelope[] = [];
    deliver(encodeBatch(['1', '2', '3'].map((id) => encodeEnvelope(message(id)))), (e) => got.push(e), silentLogger, {});
    expect(ids(got)).toEqual(['1', '2', '3']);
  });

  it('drop a batch whose p is not a list, nested batches and members of the wrong shape', () => {
    const got: Envelope[] = [];
    const { logger, lines } = recordingLogger();
    deliver(JSON.stringify({ t: 'batch', p: { not: 'a list' } }), (e) => got.push(e), logger, {});
    const nested = encodeBatch([encodeEnvelope(message('1')), encodeEnvelope(message('2'))]);
    deliver(encodeBatch([nested, encodeEnvelope(message('kept')), '{"t":"msg"}', 'null']), (e) => got.push(e), logger, {});
    expect(ids(got)).toEqual(['kept']);
    expect(lines).toEqual(['bus: dropped a malformed envelope', 'bus: dropped malformed members of a batch']);
  });

  it('go on with the next member when the handler throws for one', () => {
    // The members are usually for different recipients: one bad one must not cost the others.
    const got: Envelope[] = [];
    const { logger, lines } = recordingLogger();
    const handler = (e: Envelope) => {
      if (idOf(e) === '2') throw new Error('boom');
      got.push(e);
    };
    deliver(encodeBatch(['1', '2', '3'].map((id) => encodeEnvelope(message(id)))), handler, logger, {});
    expect(ids(got)).toEqual(['1', '3']);
    expect(lines).toEqual(['bus: envelope handler threw']);
  });
});
