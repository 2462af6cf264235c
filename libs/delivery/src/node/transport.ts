/** Server → client events the node core emits (PROTOCOL.md). */
export type ServerEvent = 'ready' | 'msg' | 'group' | 'broadcast' | 'migrate' | 'kicked';

/**
 * The node core's one port toward the client transport (socket.io in
 * apps/spear, an in-memory recorder in tests). `C` is the transport's handle
 * of one connection. The core decides who gets what; the transport only
 * writes frames and keeps the group rooms it fans out to.
 *
 * Guarantee expected of an implementation: emits to one connection leave in
 * call order; an emit to a closed connection is dropped silently (delivery
 * durability is the store's job, never the transport's).
 */
export interface Transport<C> {
  /** One event to one connection. */
  emit(conn: C, event: ServerEvent, payload: object): void;
  /** One event to every local connection in `group`'s room; returns how many it reached. */
  emitToGroup(group: string, event: ServerEvent, payload: object): number;
  /** One event to every local connection; returns how many it reached. */
  emitToAll(event: ServerEvent, payload: object): number;
  /**
   * Backpressure: resolves true once `conn` has nothing queued beyond the
   * write in flight (at once when so, or when it is closed), false when that
   * takes longer than `timeoutMs` (a client that does not read). Work that
   * sends a lot to one connection (a replay) awaits it between batches.
   */
  drained(conn: C, timeoutMs: number): Promise<boolean>;
  /** Puts a connection in / takes it out of `group`'s room (idempotent). */
  joinRoom(conn: C, group: string): void;
  leaveRoom(conn: C, group: string): void;
  /**
   * Closes a connection (idempotent). The transport takes it out of every
   * room itself and reports it to NodeCore.disconnect exactly once, as it does
   * for a connection the client closed.
   */
  close(conn: C): void;
  /**
   * Cuts a connection at once, dropping what is still queued for it (a
   * client that reads nothing: a graceful close would wait behind its
   * queue). Reported to NodeCore.disconnect as `close` is; idempotent.
   */
  cut(conn: C): void;
}
