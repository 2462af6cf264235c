import type { Envelope } from './bus';

/**
 * What one publish carries on the wire: an envelope, or several directed
 * envelopes for one node coalesced by the DirectedBatcher. The batch form is
 * private to this library: receivers unwrap it (see deliver.ts), so the Bus
 * interface only ever hands out plain envelopes.
 */
export type WireEnvelope = Envelope | { t: 'batch'; p: Envelope[] };

/** JSON once per envelope; every destination gets the same string. */
export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}

/**
 * One wire message carrying `encoded` (each an encodeEnvelope result) in
 * order. A single envelope goes out as itself, without a wrapper. Built by
 * string concatenation so an envelope sent to several nodes, or batched, is
 * stringified only once.
 */
export function encodeBatch(encoded: readonly string[]): string {
  return encoded.length === 1 ? encoded[0]! : `{"t":"batch","p":[${encoded.join(',')}]}`;
}

/**
 * The envelopes carried by one wire message, in order: one for a plain
 * envelope, the valid members of a batch (nested batches and members of the
 * wrong shape are left out and counted in `dropped`). Null when `text` is not
 * JSON of an envelope's or a batch's outer shape. Only the shape the buses
 * route on is checked; the payload is the protocol layer's business.
 */
export function decodeWire(text: string): { envelopes: Envelope[]; dropped: number } | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (isEnvelope(value)) return { envelopes: [value], dropped: 0 };
  if (!isBatch(value)) return null;
  const envelopes = value.p.filter(isEnvelope);
  return { envelopes, dropped: value.p.length - envelopes.length };
}

function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const { t, p } = value as { t?: unknown; p?: unknown };
  return (t === 'msg' || t === 'group' || t === 'broadcast' || t === 'kick' || t === 'member') && typeof p === 'object' && p !== null;
}

function isBatch(value: unknown): value is { t: 'batch'; p: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const { t, p } = value as { t?: unknown; p?: unknown };
  return t === 'batch' && Array.isArray(p);
}
