import type { Server, Socket } from 'socket.io';
import type { Session } from '@spear/delivery';

/**
 * What a socket carries on this node (`socket.data`), one role: the
 * connection's identity from the handshake, then its session in the node core.
 */
export interface SpearSocketData {
  /** The ticket's uid, set by the handshake. */
  uid: string;
  /** Set when the core accepted the connection. */
  session?: Session<SpearSocket>;
}

/** socket.io's types with this node's socket data (events are untyped: payloads are validated by the core). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SpearSocket = Socket<any, any, any, SpearSocketData>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SpearServer = Server<any, any, any, SpearSocketData>;
