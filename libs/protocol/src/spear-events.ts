import { z } from 'zod';
import { groupSchema, uidSchema } from './identifiers';

/** A message id: a snowflake sent as a decimal string. */
export const messageIdSchema = z.string().regex(/^\d{1,20}$/, 'must be a message id (decimal string)');
const cidSchema = z.string().min(1).max(128);

/** Client → server payloads (PROTOCOL.md, spear section). `body` is any JSON value; its size is checked separately. */
export const sendPayload = z.object({ to: uidSchema, body: z.unknown(), cid: cidSchema.optional() });
export const joinPayload = z.object({ group: groupSchema, since: messageIdSchema.optional() });
export const leavePayload = z.object({ group: groupSchema });
export const publishPayload = z.object({ group: groupSchema, body: z.unknown(), cid: cidSchema.optional() });
export const ackPayload = z.object({ ids: z.array(messageIdSchema).min(1).max(1000) });

export type SendPayload = z.infer<typeof sendPayload>;
export type JoinPayload = z.infer<typeof joinPayload>;
export type PublishPayload = z.infer<typeof publishPayload>;
export type AckPayload = z.infer<typeof ackPayload>;

/** Server → client payloads. */
export interface ReadyEvent {
  uid: string;
  node: string;
  sessionId: string;
}
export interface MsgEvent {
  id: string;
  from: string;
  to: string;
  body: unknown;
  ts: number;
  cid?: string;
}
export interface GroupEvent {
  id: string;
  group: string;
  from: string;
  body: unknown;
  ts: number;
}
export interface BroadcastEvent {
  id: string;
  body: unknown;
  ts: number;
}
export interface MigrateEvent {
  reason: string;
  retryAfterMs: number;
}

/** Acks: `{ok: true, ...}` or `{ok: false, error: {code, message}}`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };

/** Node's Buffer where there is one (fast, native); browsers (the SDK in minions) count with TextEncoder. */
const nodeBuffer = (globalThis as { Buffer?: { byteLength(s: string): number } }).Buffer;

/** `body`'s encoded size in bytes, UTF-8 JSON (what the profile's limit applies to). */
export function encodedSize(body: unknown): number {
  const json = JSON.stringify(body);
  if (json === undefined) return 0;
  return nodeBuffer ? nodeBuffer.byteLength(json) : new TextEncoder().encode(json).length;
}
