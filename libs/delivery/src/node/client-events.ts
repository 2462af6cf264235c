import type { z } from 'zod';
import { ackPayload, historyPayload, joinPayload, leavePayload, ProtocolError, publishPayload, rpcPayload, sendPayload } from '@spear/protocol';
import type { Session } from './session';
import { TokenBucket } from './token-bucket';

/**
 * The client → server events of PROTOCOL.md, each with its payload schema and
 * whether it is serialized per connection (sends and publishes are, so their
 * order is the order of their acks).
 */
export const CLIENT_EVENTS = {
  send: { schema: sendPayload, serialize: true },
  publish: { schema: publishPayload, serialize: true },
  join: { schema: joinPayload, serialize: false },
  leave: { schema: leavePayload, serialize: false },
  ack: { schema: ackPayload, serialize: false },
  history: { schema: historyPayload, serialize: false },
  rpc: { schema: rpcPayload, serialize: false },
} as const satisfies Record<string, { schema: z.ZodType; serialize: boolean }>;

export type ClientEvent = keyof typeof CLIENT_EVENTS;
export type ClientPayload<E extends ClientEvent> = z.infer<(typeof CLIENT_EVENTS)[E]['schema']>;

/** The event names a transport binds. */
export const CLIENT_EVENT_NAMES = Object.keys(CLIENT_EVENTS) as ClientEvent[];

export function isClientEvent(event: string): event is ClientEvent {
  return Object.hasOwn(CLIENT_EVENTS, event);
}

/** A connection's event budget (the profile's spear.rateLimit). */
export interface RateLimit {
  eventsPerSecond: number;
  burst: number;
  /** Refusals in a row after which the connection is closed. */
  strikes: number;
}

/**
 * Lets one client event in: charges the session's budget, then validates the
 * payload. Throws ProtocolError `rate_limited` (calling `overLimit` once the
 * refusals in a row pass the strikes) or `bad_request` naming the field.
 */
export function admit(session: Session<unknown>, event: ClientEvent, payload: unknown, limit: RateLimit, overLimit: () => void): unknown {
  const bucket = (session.bucket ??= new TokenBucket(limit.eventsPerSecond, limit.burst));
  if (!bucket.take()) {
    if (bucket.strikes > limit.strikes) overLimit();
    throw new ProtocolError('rate_limited', 'too many events; slow down');
  }
  const parsed = CLIENT_EVENTS[event].schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ProtocolError('bad_request', `${issue.path.map(String).join('.') || 'payload'}: ${issue.message}`);
}
