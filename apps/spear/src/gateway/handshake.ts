import type { Socket } from 'socket.io';
import { NonceStore, verifyTicket, type TicketKeys } from '@spear/tickets';

/** What the handshake leaves on an accepted connection. */
export interface ConnectionIdentity {
  uid: string;
  /** Set by the handshake; then socket.data becomes the Connection, which has both. */
  identified: true;
}

/**
 * socket.io middleware: a connection needs a valid, unexpired, unused ticket
 * for this node. Refusals end in connect_error with the protocol's code as
 * message: invalid_ticket, expired_ticket, wrong_node, draining.
 */
export function ticketHandshake(options: { keys: TicketKeys; nodeId: string; nonces: NonceStore; draining: () => boolean; full: () => boolean }) {
  return (socket: Socket, next: (error?: Error) => void): void => {
    if (options.draining()) return next(refusal('draining'));
    if (options.full()) return next(refusal('draining', 'node is at its connection limit'));
    const ticket = (socket.handshake.auth as { ticket?: unknown } | undefined)?.ticket;
    const verdict = verifyTicket(options.keys, ticket, options.nodeId);
    if (!verdict.ok) return next(refusal(verdict.code));
    options.nonces.consume(verdict.claims.nonce, verdict.claims.expiresAt).then(
      (first) => {
        if (!first) return next(refusal('invalid_ticket', 'ticket already used'));
        // Spent: nothing reads it again, and socket.io would otherwise keep the ticket string for the connection's life.
        socket.handshake.auth = {};
        Object.assign(socket.data as object, { uid: verdict.claims.uid, identified: true } satisfies ConnectionIdentity);
        next();
      },
      // Redis unreachable: the ticket cannot be checked for reuse, so it is not accepted.
      () => next(refusal('invalid_ticket', 'ticket could not be checked')),
    );
  };
}

function refusal(code: string, detail?: string): Error {
  const error = new Error(code) as Error & { data?: unknown };
  if (detail) error.data = { detail };
  return error;
}
