import { Gauge } from 'prom-client';
import { Server } from 'socket.io';
import type { Server as HttpServer } from 'node:http';
import type { ServiceContext } from '@spear/runtime';

/**
 * The node's socket.io server on the service's own HTTP port (websocket and
 * long-polling). Sessions, tickets and events are layered on it by the
 * gateway; here it enforces the node's transport limits and counts connections.
 */
export function attachSocketServer(httpServer: HttpServer, ctx: ServiceContext<'spear'>): Server {
  const { spear } = ctx.config;
  const io = new Server(httpServer, {
    transports: ['websocket', 'polling'],
    // A frame carries one body plus its envelope; anything much larger is refused by engine.io.
    maxHttpBufferSize: spear.maxBodyBytes * 2 + 4096,
    serveClient: false,
    pingInterval: 25_000,
    pingTimeout: 20_000,
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

  io.use((_socket, next) => {
    if (io.engine.clientsCount > spear.maxConnections) next(new Error('node_full'));
    else next();
  });
  io.on('connection', (socket) => {
    // One connection's error must never reach the others or the process.
    socket.on('error', (error) => ctx.logger.debug({ sid: socket.id, err: String(error) }, 'socket error'));
  });
  return io;
}
