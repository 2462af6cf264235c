import { performance } from 'node:perf_hooks';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ProxyTrust } from './client-address';
import { PendingHandshakes, type PendingLimits } from './pending-handshakes';
import { RequestAddresses } from './request-addresses';
import { cutConnection, type EngineConnection, type SpearServer, type SpearSocket } from './socket-data';

/** What the ticket handshake tells the guard, and asks it (handshake.ts). */
export interface HandshakeObserver {
  /** The client's address (through the node's trusted proxies). */
  clientAddress(socket: SpearSocket): string;
  /** `socket` spent a valid ticket: it is no longer pending (no deadline, counted as ticketed). */
  authenticated(socket: SpearSocket): void;
  /** The handshake was refused with `code` (counted). */
  refused(code: string): void;
}

/** A node's guard of handshakes in progress; see {@link guardHandshakes}. */
export interface HandshakeGuard extends HandshakeObserver {
  /** Connections without a valid ticket yet. */
  readonly pending: number;
  /** Connections past their ticket (admitted, or in the connect hook): what spear.maxConnections bounds. */
  readonly ticketed: number;
  /** Stops the deadline sweep (the node is closing). */
  stop(): void;
}

/**
 * Guards one node's socket.io server against connections that never show a
 * ticket. Guarantees:
 * - a new transport is refused (before engine.io makes a session: HTTP 403 for
 *   polling, 400 for a websocket upgrade, the body naming `rate_limited`)
 *   while `maxPending` connections are pending on the node or
 *   `maxPendingPerIp` from the client's address;
 * - a connection that has not spent a valid ticket `timeoutMs` after it opened
 *   is cut (within a sweep period more), whatever it sent;
 * - pending connections are not `ticketed`: the node's connection limit
 *   counts only connections whose ticket was valid, so a flood of them never
 *   takes a real user's slot.
 * The client's address is the direct peer's unless that is one of `trust`'s
 * proxies (X-Forwarded-For is read only then).
 * Metrics: spear_handshakes_pending, spear_handshake_refusals_total{reason}.
 */
export function guardHandshakes(io: SpearServer, options: { limits: PendingLimits; trust: ProxyTrust; registry: Registry }): HandshakeGuard {
  const { limits, trust, registry } = options;
  const pending = new PendingHandshakes<EngineConnection>(limits);
  const refusals = new Counter({
    name: 'spear_handshake_refusals_total',
    help: 'Handshakes refused or cut, by reason: pending_node / pending_ip (transport refused at the pending caps), timeout (no valid ticket in time), or the refusal code',
    labelNames: ['reason'],
    registers: [registry],
  });
  new Gauge({ name: 'spear_handshakes_pending', help: 'Connections on this node that have not shown a valid ticket yet', registers: [registry], collect() { this.set(pending.size); } });
  // allowRequest, the new connection and the connect hook all ask for one request's address: worked out once (request-addresses.ts).
  const addresses = new RequestAddresses(trust);
  const addressOf = (conn: EngineConnection) => addresses.of(conn.request, conn.remoteAddress);

  // engine.io asks allowRequest before it makes a session (never for later requests of one): the origin check first.
  const engine = io.engine;
  const previous = engine.opts.allowRequest;
  engine.opts.allowRequest = (req, callback) => {
    const admit = () => {
      const reason = pending.refusal(addresses.of(req, req.socket.remoteAddress));
      if (!reason) return callback(null, true);
      refusals.inc({ reason });
      callback('rate_limited', false);
    };
    if (!previous) return admit();
    previous(req, (error, allowed) => (allowed ? admit() : callback(error, allowed)));
  };
  // Between allowRequest and `connection` engine.io only awaits microtasks: no other request is asked in between.
  const onClose = function (this: EngineConnection) {
    pending.remove(this);
  };
  engine.on('connection', (conn: EngineConnection) => {
    pending.add(conn, addressOf(conn), performance.now());
    conn.once('close', onClose);
  });

  const sweepMs = Math.min(1000, Math.max(50, Math.floor(limits.timeoutMs / 5)));
  const sweep = setInterval(() => {
    for (const conn of pending.takeExpired(performance.now())) {
      refusals.inc({ reason: 'timeout' });
      cutConnection(conn);
    }
  }, sweepMs);
  sweep.unref();

  return {
    get pending() {
      return pending.size;
    },
    get ticketed() {
      return Math.max(0, engine.clientsCount - pending.size);
    },
    clientAddress: (socket) => addressOf(socket.conn),
    authenticated: (socket) => void pending.remove(socket.conn),
    refused: (code) => refusals.inc({ reason: code }),
    stop: () => clearInterval(sweep),
  };
}
