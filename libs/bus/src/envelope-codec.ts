import type { Envelope } from './bus';

/** JSON once per publish; every destination gets the same string. */
export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}

/**
 * The envelope in `text`, or null when it is not JSON of the envelope's outer
 * shape. Only the shape the buses route on is checked; the payload is the
 * protocol layer's business.
 */
export function decodeEnvelope(text: string): Envelope | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { t, p } = value as { t?: unknown; p?: unknown };
  if (t === 'batch') return Array.isArray(p) ? (value as Envelope) : null;
  if (t !== 'msg' && t !== 'group' && t !== 'broadcast') return null;
  if (typeof p !== 'object' || p === null) return null;
  return value as Envelope;
}
