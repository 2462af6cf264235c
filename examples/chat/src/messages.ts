import { z } from 'zod';

const url = z.string().url().max(2048);
const text = (max: number) => z.string().trim().min(1).max(max);

/**
 * The chat seed's message kinds, each with its payload. A client sends one
 * through `rpc chat.send`; the backend refuses anything else with
 * `invalid_message`, so every client can render what it receives.
 */
export const chatMessage = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('text'), text: text(4000) }),
  z.strictObject({ kind: z.literal('news'), title: text(200), url, summary: text(1000).optional() }),
  z.strictObject({ kind: z.literal('voice'), url, seconds: z.number().int().min(1).max(600) }),
  z.strictObject({ kind: z.literal('image'), url, width: z.number().int().min(1).max(20_000), height: z.number().int().min(1).max(20_000) }),
  z.strictObject({ kind: z.literal('redpacket'), amount: z.number().positive().max(10_000), greeting: text(100) }),
  z.strictObject({ kind: z.literal('emoji'), code: z.string().regex(/^:[a-z0-9_+-]{1,40}:$/, 'an emoji code like :smile:') }),
  z.strictObject({ kind: z.literal('link'), url, title: text(200).optional() }),
  z.strictObject({ kind: z.literal('video'), url, seconds: z.number().int().min(1).max(7200) }),
  z.strictObject({ kind: z.literal('contact'), uid: z.string().regex(/^[A-Za-z0-9_.:@-]{1,128}$/), name: text(100) }),
]);
export type ChatMessage = z.infer<typeof chatMessage>;
export const CHAT_KINDS = chatMessage.options.map((o) => o.shape.kind.value);

/** A chat group's name (the part after `room:`): what the local profile's members-only namespace holds. */
export const roomName = z.string().regex(/^[a-z0-9-]{1,40}$/, 'a room name: 1-40 of a-z, 0-9, -');

const toUser = z.strictObject({ to: z.string().regex(/^[A-Za-z0-9_.:@-]{1,128}$/), message: chatMessage });
const toRoom = z.strictObject({ room: roomName, message: chatMessage });

/** `chat.send`'s `data`: to a room when it names one (never both), else to a user; errors then name the field. */
export function sendSchemaFor(data: unknown): z.ZodType<SendRequest> {
  return typeof data === 'object' && data !== null && 'room' in data ? toRoom : toUser;
}
export type SendRequest = z.infer<typeof toUser> | z.infer<typeof toRoom>;

/** `chat.rooms.join`, `chat.rooms.leave`. */
export const roomRequest = z.strictObject({ room: roomName });

/** What a chat message looks like on the wire to its recipients (the body of a Spear `msg` or `group` event). */
export interface ChatEnvelope {
  chat: 1;
  from: string;
  room?: string;
  message: ChatMessage;
  sentAt: number;
}
