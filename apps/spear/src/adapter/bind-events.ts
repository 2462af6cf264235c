import { CLIENT_EVENT_NAMES, type Admitted, type ClientEvent, type NodeCore } from '@spear/delivery';
import type { Ack } from '@spear/protocol';
import { sessionOf, type SpearServer, type SpearSocket } from './socket-data';

type AckFn = (ack: Ack) => void;

/**
 * Binds accepted sockets to the node core: the core gets the connection, its
 * client events (answered through socket.io acks) and its disconnect.
 *
 * Idle connections are what a node holds most of, so no closure is made per
 * connection: one listener per event name serves every socket (socket.io
 * calls it with `this` = the socket, which carries its session).
 */
export function bindToCore(io: SpearServer, core: NodeCore<SpearSocket>, disconnected: (info: { uid: string; device: string; sessionId: string; reason: string }) => void = () => undefined): void {
  const listeners = CLIENT_EVENT_NAMES.map((event) => [event, eventListener(core, event)] as const);
  // socket.io emits disconnect once per socket: the disconnect hook hears of each connection at most once.
  const onDisconnect = function (this: SpearSocket, reason: string) {
    const session = sessionOf(this);
    void core.disconnect(session);
    disconnected({ uid: session.uid, device: session.device, sessionId: session.id, reason });
  };
  io.on('connection', (socket: SpearSocket) => {
    // The session first (emits start on a later turn), then the handlers, before any await: a client
    // may emit right after connect, without waiting for `ready` (PROTOCOL.md allows it), and
    // socket.io drops events that arrive with no handler bound.
    const { uid, device, tokenRef, admitted } = socket.data as { uid: string; device: string; tokenRef?: string; admitted?: Admitted };
    socket.data = core.connect(socket, uid, socket.id, device, tokenRef, admitted);
    for (const [event, listener] of listeners) socket.on(event, listener);
    socket.on('disconnect', onDisconnect);
  });
}

function eventListener(core: NodeCore<SpearSocket>, event: ClientEvent) {
  return function (this: SpearSocket, payload: unknown, ack?: unknown): void {
    void core.receive(sessionOf(this), event, payload, typeof ack === 'function' ? (ack as AckFn) : undefined);
  };
}
