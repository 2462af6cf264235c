import type { z } from 'zod';
import { ackPayload, joinPayload, leavePayload, publishPayload, sendPayload } from '@spear/protocol';

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
} as const satisfies Record<string, { schema: z.ZodType; serialize: boolean }>;

export type ClientEvent = keyof typeof CLIENT_EVENTS;
export type ClientPayload<E extends ClientEvent> = z.infer<(typeof CLIENT_EVENTS)[E]['schema']>;

/** The event names a transport binds. */
export const CLIENT_EVENT_NAMES = Object.keys(CLIENT_EVENTS) as ClientEvent[];

export function isClientEvent(event: string): event is ClientEvent {
  return Object.hasOwn(CLIENT_EVENTS, event);
}
