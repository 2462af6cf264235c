import { z } from 'zod';
import { uidSchema } from './identifiers';

/** Longest token lifetime a backend may ask for: 30 days. */
export const MAX_TOKEN_TTL_SECONDS = 30 * 86400;

/** v1.1 reserved uids: `system` and `svc:*` only appear as `from` of server-side messages. */
export const isReservedUid = (uid: string): boolean => uid === 'system' || uid.startsWith('svc:');

/** POST /v1/tokens body (no token for a reserved uid). */
export const createTokenRequest = z.object({
  uid: uidSchema.refine((uid) => !isReservedUid(uid), 'is reserved (system, svc:*)'),
  ttlSeconds: z.number().int().min(1).max(MAX_TOKEN_TTL_SECONDS).optional(),
});
export type CreateTokenRequest = z.infer<typeof createTokenRequest>;

/** POST /v1/tokens answer (201). */
export interface CreateTokenResponse {
  token: string;
  uid: string;
  /** epoch milliseconds */
  expiresAt: number;
}

/**
 * POST /v1/tickets body. `avoid` is a Spear extension beyond PROTOCOL.md's
 * `{uid, token}`: node ids the client just failed to reach. ticket then picks
 * where the uid would go if those nodes had left, so clients of a crashed node
 * do not wait for ZooKeeper to notice. Without it, node choice is exactly the
 * protocol's.
 */
export const createTicketRequest = z.object({
  uid: uidSchema,
  token: z.string().min(1).max(4096),
  avoid: z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/)).max(16).optional(),
});

/** POST /v1/tickets answer (200). */
export interface CreateTicketResponse {
  uid: string;
  node: { id: string; url: string };
  ticket: string;
  /** epoch milliseconds */
  expiresAt: number;
}

/** POST /v1/push/users body. */
/** Who a push is from (v1.1): `system` (the default) or a service, `svc:<name>`. */
export const pushSenderSchema = uidSchema.refine((from) => from === 'system' || /^svc:[A-Za-z0-9_.:@-]{1,124}$/.test(from), 'must be "system" or "svc:<name>"');
export const pushUsersRequest = z.object({ uids: z.array(uidSchema).min(1).max(1000), body: z.unknown(), from: pushSenderSchema.optional() });
/** POST /v1/push/groups body; `from` (`system` | `svc:<name>`, as for users) is beyond PROTOCOL.md: backends publish as themselves. */
export const pushGroupRequest = z.object({ group: uidSchema, body: z.unknown(), from: pushSenderSchema.optional() });
/** POST /v1/push/broadcast body. */
export const pushBroadcastRequest = z.object({ body: z.unknown() });

/** GET /v1/presence/{uid} answer. */
export interface PresenceResponse {
  uid: string;
  online: boolean;
  nodes: string[];
}

/** POST /v1/users/{uid}/disconnect body (v1.1). */
export const disconnectUserRequest = z.object({ reason: z.string().min(1).max(64).optional() }).optional();

/** GET /v1/groups/{group}/members query (v1.1): sorted by uid, after `after`, at most `limit` (1-1000, default 100). */
export const groupMembersQuery = z.object({
  after: uidSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** GET /v1/groups query (beyond PROTOCOL.md): how many of the busiest groups. */
export const busiestGroupsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(10) });
