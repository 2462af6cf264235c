import type { Server, Socket } from 'socket.io';
import type { Admitted, Session } from '@spear/delivery';

/**
 * What a socket carries on this node (`socket.data`), one role: the
 * connection's state here. The handshake sets its `uid` and `device`; once
 * the node core accepts the connection, the data is the core's Session (which
 * has the same `uid` and `device`), so an idle connection costs no object beyond it.
 */
export type SpearSocketData = { uid: string; device: string; tokenRef?: string; admitted?: Admitted } | Session<SpearSocket>;

/** socket.io's types with this node's socket data (events are untyped: payloads are validated by the core). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SpearSocket = Socket<any, any, any, SpearSocketData>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SpearServer = Server<any, any, any, SpearSocketData>;

/** The socket's session; only on sockets the core accepted (every event listener is bound after that). */
export const sessionOf = (socket: SpearSocket) => socket.data as Session<SpearSocket>;

/**
 * Frames engine.io holds for the connection while its transport is busy
 * writing (`writeBuffer`, engine.io 6.x's own queue, typed private): 0 where
 * it is not there, so pacing and the gauge fall back to "nothing queued".
 */
export function queuedFramesOf(socket: SpearSocket): number {
  const queue = (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer;
  return Array.isArray(queue) ? queue.length : 0;
}

/** One engine.io connection (what socket.io calls `socket.conn`), with or without a socket.io socket on it. */
export type EngineConnection = SpearSocket['conn'];

/**
 * Ends an engine.io connection now. A websocket is terminated (its TCP
 * socket destroyed: engine.io would otherwise close only once its queue
 * drained, which a client that reads nothing never lets happen, and ws would
 * wait up to 30 s for the peer's close frame); a polling connection is closed
 * discarding its queue. Either way engine.io emits `close` (and socket.io a
 * disconnect for a socket on it).
 */
export function cutConnection(engine: EngineConnection): void {
  // engine.io's websocket transport keeps its ws WebSocket in `socket` (untyped); without one, discard and close.
  const ws = (engine.transport as unknown as { socket?: { terminate?: () => void } }).socket;
  if (typeof ws?.terminate === 'function') ws.terminate();
  else engine.close(true);
}
