import { CLIENT_EVENT_NAMES, type ClientEvent, type NodeCore } from '@spear/delivery';
import type { Ack } from '@spear/protocol';
import type { SpearServer, SpearSocket } from './socket-data';

type AckFn = (ack: Ack) => void;

/**
 * Binds accepted sockets to the node core: the core gets the connection, its
 * client events (answered through socket.io acks) and its disconnect.
 *
 * Idle connections are what a node holds most of, so no closure is made per
 * connection: one listener per event name serves every socket (socket.io
 * calls it with `this` = the socket, which carries its session).
 */
export function bindToCore(io: SpearServer, core: NodeCore<SpearSocket>): void {
  const listeners = CLIENT_EVENT_NAMES.map((event) => [event, eventListener(core, event)] as const);
  const onDisconnect = function (this: SpearSocket) {
    const { session } = this.data;
    if (session) void core.disconnect(session);
  };
  io.on('connection', (socket: SpearSocket) => {
    // Handlers first: a client may emit right after connect, without waiting for `ready`
    // (PROTOCOL.md allows it), and socket.io drops events that arrive with no handler bound.
    for (const [event, listener] of listeners) socket.on(event, listener);
    socket.on('disconnect', onDisconnect);
    socket.data.session = core.connect(socket, socket.data.uid, socket.id);
  });
}

function eventListener(core: NodeCore<SpearSocket>, event: ClientEvent) {
  return function (this: SpearSocket, payload: unknown, ack?: unknown): void {
    const { session } = this.data;
    if (!session) return;
    const reply = typeof ack === 'function' ? (ack as AckFn) : undefined;
    const answer = core.receive(session, event, payload);
    if (reply) void answer.then(reply);
  };
}
