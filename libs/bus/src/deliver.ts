import type { Envelope } from './bus';
import { decodeWire } from './envelope-codec';
import { errorMessage, type BusLogger } from './logger';

/** Where an envelope came from, for log lines about dropped ones. */
export type EnvelopeSource = Record<string, unknown>;

/**
 * Decodes one wire message and hands its envelopes to `onEnvelope` one by
 * one, in order (a batch is unwrapped; see envelope-codec.ts). Never throws:
 * a malformed message or member is logged and dropped, and a throwing handler
 * is logged per envelope, because an exception here would land in the Redis
 * client's event emitter or restart the Kafka consumer (and redeliver the
 * batch) instead of reaching anyone who can act on it; the other members of
 * a batch, usually for other recipients, are still delivered.
 */
export function deliver(
  text: string,
  onEnvelope: (envelope: Envelope) => void,
  logger: BusLogger,
  source: EnvelopeSource,
): void {
  const decoded = decodeWire(text);
  if (!decoded) {
    logger.warn({ ...source, bytes: text.length }, 'bus: dropped a malformed envelope');
    return;
  }
  if (decoded.dropped > 0) {
    logger.warn({ ...source, dropped: decoded.dropped }, 'bus: dropped malformed members of a batch');
  }
  for (const envelope of decoded.envelopes) {
    try {
      onEnvelope(envelope);
    } catch (error) {
      logger.error({ ...source, t: envelope.t, err: errorMessage(error) }, 'bus: envelope handler threw');
    }
  }
}
