import { Gauge } from 'prom-client';
import { Server } from 'socket.io';
import type { Server as HttpServer } from 'node:http';
import type { ServiceContext } from '@spear/runtime';
import { queuedFramesOf, type SpearServer, type SpearSocket } from './socket-data';

/**
 * The node's socket.io server on the service's own HTTP port (websocket and
 * long-polling) with the node's transport limits (frame size, origins);
 * the ticket handshake and the node core are bound to it by the wiring.
 */
export function attachSocketServer(httpServer: HttpServer, ctx: ServiceContext<'spear'>): SpearServer {
  const { spear, delivery } = ctx.config;
  const io: SpearServer = new Server(httpServer, {
    transports: ['websocket', 'polling'],
    // A frame carries one body plus its envelope; anything much larger is refused by engine.io.
    maxHttpBufferSize: delivery.maxBodyBytes * 2 + 4096,
    serveClient: false,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    cors: { origin: spear.origins === '*' ? '*' : spear.origins },
    // Browsers send Origin; anything outside the allow-list is refused before the handshake.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, spear.origins === '*' || origin === undefined || spear.origins.includes(origin));
    },
  });
  const connections = new Gauge({
    name: 'spear_connections',
    help: 'socket.io connections open on this node',
    registers: [ctx.metrics.registry],
    collect() {
      this.set(io.engine.clientsCount);
    },
  });
  void connections;
  const queued = new Gauge({
    name: 'spear_queued_frames',
    help: 'Frames waiting in engine.io queues for clients still busy reading earlier ones (slow readers show here)',
    registers: [ctx.metrics.registry],
    collect() {
      let frames = 0;
      for (const socket of io.sockets.sockets.values()) frames += queuedFramesOf(socket);
      this.set(frames);
    },
  });
  void queued;

  // One connection's error must never reach the others or the process. One listener for all sockets
  // (`this` is the socket), not a closure per connection.
  const onError = function (this: SpearSocket, error: Error) {
    ctx.logger.debug({ sid: this.id, err: String(error) }, 'socket error');
  };
  io.on('connection', (socket) => socket.on('error', onError));
  return io;
}

