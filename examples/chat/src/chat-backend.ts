import type { z } from 'zod';
import { BackendError, Pusher, serveBackend, type Backend, type RpcCall } from '@spear/backend';
import { CHAT_KINDS, roomRequest, sendSchemaFor, type ChatEnvelope } from './messages';
import type { SpearAdmin } from './spear-admin';

/** Rooms are Spear groups in the members-only namespace `room` (profile `local`). */
const groupOf = (room: string) => `room:${room}`;
const roomOf = (group: string) => (group.startsWith('room:') ? group.slice(5) : undefined);

/** Parses a call's `data` with a schema; anything else is the client's `invalid_message` naming the field. */
function parse<T>(schema: z.ZodType<T>, data: unknown): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new BackendError('invalid_message', `${issue.path.map(String).join('.') || 'data'}: ${issue.message}`);
}

/**
 * The chat seed as an app on Spear: typed messages validated here and
 * delivered through Spear (1:1 into the recipient's log, rooms into the
 * group's history), rooms kept as Spear memberships, and a connect hook
 * that admits every ticket holder and hands back their rooms.
 */
export function chatMethods(admin: SpearAdmin, push: Pusher) {
  return {
    /** `{to, message}` or `{room, message}` → `{id}`; the recipients get `{chat: 1, from, room?, message, sentAt}` from `svc:chat`. */
    'chat.send': async (call: RpcCall) => {
      const request = parse(sendSchemaFor(call.data), call.data);
      const envelope: ChatEnvelope = { chat: 1, from: call.uid, message: request.message, sentAt: Date.now() };
      if ('to' in request) {
        const [id] = await push.toUsers([request.to], envelope);
        return { id };
      }
      const group = groupOf(request.room);
      if (!(await admin.groupsOf(call.uid)).includes(group)) throw new BackendError('not_a_member', `join ${request.room} first`);
      return { id: await push.toGroup(group, { ...envelope, room: request.room }) };
    },
    /** Makes (or joins) a room: the caller is a member from now on, on every connection. */
    'chat.rooms.join': async (call: RpcCall) => {
      const { room } = parse(roomRequest, call.data);
      await admin.addMember(groupOf(room), call.uid);
      return { room };
    },
    'chat.rooms.leave': async (call: RpcCall) => {
      const { room } = parse(roomRequest, call.data);
      await admin.removeMember(groupOf(room), call.uid);
      return { room };
    },
    /** The caller's rooms. */
    'chat.rooms.list': async (call: RpcCall) => ({ rooms: (await admin.groupsOf(call.uid)).map(roomOf).filter((r): r is string => r !== undefined) }),
    /** What `message.kind` may be. */
    'chat.kinds': () => ({ kinds: CHAT_KINDS }),
  };
}

/** Serves the chat backend as the Spear RPC service `chat` (routes `chat.` → `chat.rpc`, connect hook → `chat.hook.connect`). */
export function startChatBackend(options: { zookeeper: { connect: string; root: string; user: string; password: string }; clusterSecret: string; admin: SpearAdmin; push: Pusher }): Promise<Backend> {
  return serveBackend({
    name: 'chat',
    zookeeper: options.zookeeper,
    clusterSecret: options.clusterSecret,
    methods: chatMethods(options.admin, options.push),
    hooks: {
      // Every ticket holder is admitted (Spear behaves for them as PROTOCOL.md says); the seed loads a user's rooms at connect.
      connect: async (c) => ({ allow: true, groups: (await options.admin.groupsOf(c.uid)).filter((g) => roomOf(g) !== undefined), meta: { app: 'chat' } }),
    },
  });
}
