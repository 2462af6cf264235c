import type { Server, Socket } from 'socket.io';
import type { Envelope } from '@spear/bus';
import type { MsgEvent } from '@spear/protocol';

/**
 * Per-connection state for the inbox replay at connect: live messages that
 * arrive meanwhile wait here, so none is missed and none overtakes the replay.
 */
export interface ReplayState {
  buffered: MsgEvent[] | undefined;
}

/** Emits a 1:1 message, or holds it while the connection's inbox replay runs. */
export function emitMsg(socket: Socket, message: MsgEvent): void {
  const replay = socket.data as ReplayState;
  if (replay.buffered) replay.buffered.push(message);
  else socket.emit('msg', message);
}

/**
 * The connections of this node by uid, and its groups' local membership
 * (socket.io rooms `g:<group>` do the group fan-out).
 */
export class Sessions {
  /**
   * A uid's one connection, or a Set once it has several: most users have
   * one, and a Set per user would cost ~200 bytes per connection.
   */
  private readonly users = new Map<string, Socket | Set<Socket>>();
  private readonly groupMembers = new Map<string, number>();
  /** Events handed to local connections by deliver() (one per connection reached), for the node report. */
  emitted = 0;

  constructor(private readonly io: Server) {}

  get userCount(): number {
    return this.users.size;
  }

  /** Groups with at least one member on this node. */
  get groupCount(): number {
    return this.groupMembers.size;
  }

  uids(): IterableIterator<string> {
    return this.users.keys();
  }

  /** Adds a connection; true when it is the uid's first on this node. */
  add(uid: string, socket: Socket): boolean {
    const held = this.users.get(uid);
    if (held === undefined) {
      this.users.set(uid, socket);
      return true;
    }
    if (held instanceof Set) held.add(socket);
    else if (held !== socket) this.users.set(uid, new Set([held, socket]));
    return false;
  }

  /** Removes a connection; true when it was the uid's last on this node. */
  remove(uid: string, socket: Socket): boolean {
    const held = this.users.get(uid);
    if (held === undefined) return false;
    if (held instanceof Set) {
      held.delete(socket);
      if (held.size > 1) return false;
      if (held.size === 1) {
        this.users.set(uid, held.values().next().value!);
        return false;
      }
    } else if (held !== socket) return false;
    this.users.delete(uid);
    return true;
  }

  has(uid: string): boolean {
    return this.users.has(uid);
  }

  /** Joins a connection to a group; true when it is the group's first local member. */
  joinGroup(socket: Socket, group: string): boolean {
    const room = `g:${group}`;
    if (socket.rooms.has(room)) return false;
    void socket.join(room);
    const n = (this.groupMembers.get(group) ?? 0) + 1;
    this.groupMembers.set(group, n);
    return n === 1;
  }

  /** Leaves a group; true when it was the group's last local member. */
  leaveGroup(socket: Socket, group: string): boolean {
    const room = `g:${group}`;
    if (!socket.rooms.has(room)) return false;
    void socket.leave(room);
    const n = (this.groupMembers.get(group) ?? 1) - 1;
    if (n > 0) {
      this.groupMembers.set(group, n);
      return false;
    }
    this.groupMembers.delete(group);
    return true;
  }

  /** Groups a connection is in (read before it leaves them all on disconnect). */
  groupsOf(socket: Socket): string[] {
    return [...socket.rooms].filter((r) => r.startsWith('g:')).map((r) => r.slice(2));
  }

  /** Hands an envelope to the local connections it is for. */
  deliver(envelope: Envelope): void {
    switch (envelope.t) {
      case 'msg': {
        const held = this.users.get(envelope.p.to);
        if (held === undefined) break;
        if (held instanceof Set) {
          for (const socket of held) emitMsg(socket, envelope.p);
          this.emitted += held.size;
        } else {
          emitMsg(held, envelope.p);
          this.emitted++;
        }
        break;
      }
      case 'group':
        this.io.local.to(`g:${envelope.p.group}`).emit('group', envelope.p);
        this.emitted += this.io.sockets.adapter.rooms.get(`g:${envelope.p.group}`)?.size ?? 0;
        break;
      case 'broadcast':
        this.io.local.emit('broadcast', envelope.p);
        this.emitted += this.io.sockets.sockets.size;
        break;
      case 'batch':
        for (const inner of envelope.p) this.deliver(inner);
        break;
    }
  }
}
