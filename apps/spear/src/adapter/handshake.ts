import { DEFAULT_DEVICE, DEVICE, ERRORS, type HandshakeErrorCode } from '@spear/protocol';
import { verifyTicket, type NonceStore, type TicketKeys } from '@spear/tickets';
import type { ConnectInfo, ConnectVerdict } from '../backends/hook-client';
import type { HandshakeObserver } from './handshake-guard';
import type { SpearSocket } from './socket-data';

export interface HandshakeOptions {
  keys: TicketKeys;
  nodeId: string;
  /** Single use of tickets across the cluster (NonceStore in Redis). */
  nonces: Pick<NonceStore, 'consume'>;
  /** False while the node drains. */
  accepting: () => boolean;
  /** True at the node's connection limit (of connections past their ticket: pending ones take no slot). */
  full: () => boolean;
  /** The connect hook (v1.1): asked once the ticket is spent; resolves within its timeout. */
  admit: (info: ConnectInfo) => Promise<ConnectVerdict>;
  /** The node's guard of handshakes in progress (handshake-guard.ts); none: the peer's address, nothing counted. */
  guard?: HandshakeObserver;
}

const UNGUARDED: HandshakeObserver = { clientAddress: (socket) => socket.handshake.address, authenticated: () => undefined, refused: () => undefined };

/**
 * socket.io middleware: a connection needs a valid, unexpired, unused ticket
 * for this node. Refusals end in connect_error whose message is the
 * protocol's code (invalid_ticket, expired_ticket, wrong_node, draining; a
 * malformed `device`: bad_request; the connect hook refused: forbidden); an
 * accepted socket carries its uid, device and what the connect hook
 * answered in `socket.data`. With a guard, spending a valid ticket takes the
 * connection out of the node's pending handshakes, the connect hook is given
 * the client's address through the trusted proxies, and refusals are counted.
 */
export function ticketHandshake(options: HandshakeOptions) {
  const guard = options.guard ?? UNGUARDED;
  return (socket: SpearSocket, accept: (error?: Error) => void): void => {
    const next = (error?: Error) => {
      if (error) guard.refused(error.message);
      accept(error);
    };
    if (!options.accepting()) return next(refusal('draining'));
    if (options.full()) return next(refusal('draining', 'node is at its connection limit'));
    const auth = socket.handshake.auth as { ticket?: unknown; device?: unknown } | undefined;
    const device = auth?.device ?? DEFAULT_DEVICE;
    // Checked before the ticket is spent: a client that fixes its device can still use the same ticket.
    if (typeof device !== 'string' || !DEVICE.test(device)) return next(refusal('bad_request', 'device: must be 1-64 characters of [A-Za-z0-9_.:@-]'));
    const ticket = auth?.ticket;
    const verdict = verifyTicket(options.keys, ticket, options.nodeId);
    if (!verdict.ok) return next(refusal(verdict.code, verdict.reason));
    options.nonces.consume(verdict.claims.nonce, verdict.claims.expiresAt).then(
      (first) => {
        if (!first) return next(refusal('invalid_ticket', 'ticket already used'));
        // A valid ticket, spent: the connection is a user's from now on, no longer a pending handshake.
        guard.authenticated(socket);
        // Spent: nothing reads it again, and socket.io would otherwise keep the ticket string for the connection's life.
        socket.handshake.auth = {};
        const { uid, tokenRef } = verdict.claims;
        return options.admit({ uid, device, node: options.nodeId, sessionId: socket.id, ip: guard.clientAddress(socket) }).then(
          (admitted) => {
            if (!admitted.allow) return next(refusal('forbidden', 'the connect hook refused'));
            socket.data = { uid, device, ...(tokenRef ? { tokenRef } : {}), ...(admitted.groups.length > 0 || admitted.meta !== null ? { admitted } : {}) };
            next();
          },
          // admit() resolves by contract; were it to reject, the handshake still ends, refused.
          () => next(refusal('forbidden', 'the connect hook could not be asked')),
        );
      },
      // Redis unreachable: the ticket cannot be checked for reuse, so it is not accepted.
      () => next(refusal('invalid_ticket', 'ticket could not be checked')),
    );
  };
}

/** connect_error's payload: the code as message (what clients switch on), a human detail in `data`. */
function refusal(code: HandshakeErrorCode, detail: string = ERRORS[code].message): Error {
  return Object.assign(new Error(code), { data: { detail } });
}
