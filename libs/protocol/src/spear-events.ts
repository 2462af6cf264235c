import { z } from 'zod';
import { groupSchema, uidSchema } from './identifiers';

/** A message id: a snowflake sent as a decimal string. */
export const messageIdSchema = z.string().regex(/^\d{1,20}$/, 'must be a message id (decimal string)');
const cidSchema = z.string().min(1).max(128);
/** A position in a user's log: 1, 2, 3... */
export const seqSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
export const MAX_HISTORY_LIMIT = 100;
export const DEFAULT_HISTORY_LIMIT = 50;

/** Client → server payloads (PROTOCOL.md, spear section). `body` is any JSON value; its size is checked separately. */
export const sendPayload = z.object({ to: uidSchema, body: z.unknown(), cid: cidSchema.optional() });
export const joinPayload = z.object({ group: groupSchema, since: messageIdSchema.optional() });
export const leavePayload = z.object({ group: groupSchema });
export const publishPayload = z.object({ group: groupSchema, body: z.unknown(), cid: cidSchema.optional() });
/** v1.1: a call routed to the app's backend; `method` is 1-128 chars of [A-Za-z0-9_.:-]. */
export const RPC_METHOD = /^[A-Za-z0-9_.:-]{1,128}$/;
export const rpcPayload = z.object({ method: z.string().regex(RPC_METHOD, 'must be 1-128 characters of [A-Za-z0-9_.:-]'), data: z.unknown().optional() });
/** v1's `{ids}` or v1.1's cumulative `{upTo: seq}`: exactly one of the two. */
export const ackPayload = z
  .object({ ids: z.array(messageIdSchema).min(1).max(1000).optional(), upTo: seqSchema.optional() })
  .refine((p) => (p.ids === undefined) !== (p.upTo === undefined), 'give either ids or upTo');
/** `history` (v1.1): the user's own log, newest first. */
export const historyPayload = z.object({
  with: uidSchema.optional(),
  before: seqSchema.optional(),
  limit: z.number().int().min(1).max(MAX_HISTORY_LIMIT).default(DEFAULT_HISTORY_LIMIT),
});

export type SendPayload = z.infer<typeof sendPayload>;
export type JoinPayload = z.infer<typeof joinPayload>;
export type PublishPayload = z.infer<typeof publishPayload>;
export type AckPayload = z.infer<typeof ackPayload>;
export type HistoryPayload = z.infer<typeof historyPayload>;
export type RpcPayload = z.infer<typeof rpcPayload>;

/** Server → client payloads. */
export interface ReadyEvent {
  uid: string;
  node: string;
  sessionId: string;
  /** v1.1: the connection's device (`default` when the handshake named none). */
  device: string;
  /** v1.1: the groups this connection was put in at connect. */
  groups: string[];
  /** v1.1: messages this device had not acked were dropped by retention before it came back. */
  gap: boolean;
}
export interface MsgEvent {
  id: string;
  from: string;
  to: string;
  body: unknown;
  ts: number;
  cid?: string;
  /** v1.1: the message's position in the log it was delivered from (the recipient's; a sender copy's: the sender's). */
  seq?: number;
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
/** v1.1: sent just before the server closes the connection; a client must not reconnect on its own. */
export interface KickedEvent {
  reason: string;
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
