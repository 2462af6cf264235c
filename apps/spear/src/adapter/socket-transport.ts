import type { ServerEvent, Transport } from '@spear/delivery';
import { cutConnection, queuedFramesOf, type SpearServer, type SpearSocket } from './socket-data';

/** The socket.io room of a group (socket.io encodes a room emit once for all its sockets). */
const room = (group: string) => `g:${group}`;

/**
 * The node core's transport on socket.io: one socket per connection, a room
 * per group for fan-out, `io.local` so nothing goes through socket.io's own
 * adapter to other nodes (the bus does that). Emits to a closed socket are
 * dropped by socket.io.
 */
export class SocketTransport implements Transport<SpearSocket> {
  constructor(private readonly io: SpearServer) {}

  emit(conn: SpearSocket, event: ServerEvent, payload: object): void {
    conn.emit(event, payload);
  }

  emitToGroup(group: string, event: ServerEvent, payload: object): number {
    const name = room(group);
    this.io.local.to(name).emit(event, payload);
    return this.io.sockets.adapter.rooms.get(name)?.size ?? 0;
  }

  emitToAll(event: ServerEvent, payload: object): number {
    this.io.local.emit(event, payload);
    return this.io.sockets.sockets.size;
  }

  /** engine.io queues frames in `writeBuffer` while its transport is busy writing (a websocket until the kernel took the last write, polling until the client polls) and emits `drain` once it hands them over. */
  drained(conn: SpearSocket, timeoutMs: number): Promise<boolean> {
    const engine = conn.conn;
    if (engine.readyState === 'closed' || queuedFramesOf(conn) === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        engine.off('drain', onDrain);
        engine.off('close', onClose);
        resolve(ok);
      };
      const onDrain = (): void => done(true);
      const onClose = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      engine.on('drain', onDrain);
      engine.on('close', onClose);
    });
  }

  joinRoom(conn: SpearSocket, group: string): void {
    void conn.join(room(group));
  }

  leaveRoom(conn: SpearSocket, group: string): void {
    void conn.leave(room(group));
  }

  close(conn: SpearSocket): void {
    conn.disconnect(true);
  }

  /** Ends the connection now, whatever it still has queued (cutConnection); socket.io reports the disconnect as for any other. */
  cut(conn: SpearSocket): void {
    cutConnection(conn.conn);
  }
}
