import type { Envelope } from './bus';
import { decodeEnvelope } from './envelope-codec';
import { errorMessage, type BusLogger } from './logger';

/** Where an envelope came from, for log lines about dropped ones. */
export type EnvelopeSource = Record<string, unknown>;

/**
 * Decodes `text` and hands it to `onEnvelope`. Never throws: a malformed
 * envelope or a throwing handler is logged and dropped, because an exception
 * here would land in the Redis client's event emitter or restart the Kafka
 * consumer (and redeliver the batch) instead of reaching anyone who can act on it.
 */
export function deliver(
  text: string,
  onEnvelope: (envelope: Envelope) => void,
  logger: BusLogger,
  source: EnvelopeSource,
): void {
  const envelope = decodeEnvelope(text);
  if (!envelope) {
    logger.warn({ ...source, bytes: text.length }, 'bus: dropped a malformed envelope');
    return;
  }
  try {
    if (envelope.t === 'batch') {
      for (const inner of envelope.p) if (inner && typeof inner === 'object' && inner.t !== 'batch') onEnvelope(inner);
    } else {
      onEnvelope(envelope);
    }
  } catch (error) {
    logger.error({ ...source, t: envelope.t, err: errorMessage(error) }, 'bus: envelope handler threw');
  }
}
