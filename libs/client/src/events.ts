import type { BroadcastEvent, GroupEvent, MsgEvent, ReadyEvent } from '@spear/protocol';
import type { SpearError } from './errors';
import type { ReconnectingInfo } from './link';

/** Payload of `reconnected`: the new connection's node and session, and how many attempts it took. */
export interface ReconnectedInfo {
  node: string;
  sessionId: string;
  attempts: number;
}

/**
 * Payload of `gap`: messages this device had not acked were dropped by the
 * server's retention before it came back (`ready.gap`), so the app should
 * resynchronise from its own backend. `sessionId`: the connection that said so.
 */
export interface GapInfo {
  reason: 'retention';
  sessionId: string;
  device: string;
}

/**
 * The client's events and their payloads.
 * - `msg`, `group`, `broadcast`: each message once (duplicates by id dropped,
 *   and a `msg` whose `seq` the device acked cumulatively), in arrival order;
 *   held until the first handler of the kind is registered.
 *   A `msg` handler may return a promise: in ackMode 'auto' the message is
 *   acked (within `ackDelayMs`) once every handler returned or resolved; if
 *   one throws or rejects, it is not acked (the server redelivers it on a
 *   later connection, and it is handed over again then). `group` events only
 *   for groups the app joined.
 * - `ready`: every new connection's ready (the first one is `client.session` after connect()).
 * - `gap`: a connection's `ready` said messages were lost to retention (at
 *   most once per loss: the server says it once); held until a handler is
 *   registered, as the first connection's comes before connect() resolves.
 * - `reconnecting`: an attempt is scheduled (after a disconnect, a migrate, or `reconnect()`).
 * - `reconnected`: a new connection is in use, groups already rejoined.
 * - `kicked`: the server closed the connection on purpose (PROTOCOL.md v1.1:
 *   kick, token revoked); the client is closed and does not reconnect.
 * - `error`: something the app should know and no promise reports: a handler
 *   failed, acks could not be sent, a group could not be rejoined from where
 *   the client left it, a permanent refusal closed the client. Unlike
 *   Node's EventEmitter, an `error` without a handler is dropped, not thrown.
 */
export interface SpearEvents {
  msg: MsgEvent;
  group: GroupEvent;
  broadcast: BroadcastEvent;
  ready: ReadyEvent;
  gap: GapInfo;
  reconnecting: ReconnectingInfo;
  reconnected: ReconnectedInfo;
  kicked: { reason: string };
  error: SpearError;
}

export type SpearEventName = keyof SpearEvents;
