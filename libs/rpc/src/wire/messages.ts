import type { WireError } from '../errors';

/**
 * The messages of the RPC wire protocol, each one JSON frame. Short keys:
 * they are on every call.
 *   request  {i: id, p: pattern, d: data}      expects a reply with the same i
 *   event    {p: pattern, d: data}             no reply (at-most-once)
 *   reply    {i: id, r: result} | {i: id, e: {code, message}}
 */
export interface RequestMessage {
  i: number;
  p: string;
  d: unknown;
}
export interface EventMessage {
  p: string;
  d: unknown;
}
export interface ReplyMessage {
  i: number;
  r?: unknown;
  e?: WireError;
}

/** Classifies a decoded value from a client; anything else is a protocol error. */
export function parseInbound(value: unknown): RequestMessage | EventMessage | { invalid: string; i?: number } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { invalid: 'message must be an object' };
  const m = value as Record<string, unknown>;
  const id = Number.isSafeInteger(m.i) && (m.i as number) >= 0 ? (m.i as number) : undefined;
  if (m.i !== undefined && id === undefined) return { invalid: 'i must be a non-negative integer' };
  if (typeof m.p !== 'string' || m.p.length === 0 || m.p.length > 1024) return { invalid: 'p must be a pattern string', i: id };
  return id === undefined ? { p: m.p, d: m.d } : { i: id, p: m.p, d: m.d };
}

/** Classifies a decoded value from a provider. */
export function parseReply(value: unknown): ReplyMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (!Number.isSafeInteger(m.i)) return undefined;
  if (m.e !== undefined) {
    const e = m.e as Record<string, unknown>;
    return { i: m.i as number, e: { code: String(e?.code ?? 'remote_error'), message: String(e?.message ?? '') } };
  }
  return { i: m.i as number, r: m.r };
}
