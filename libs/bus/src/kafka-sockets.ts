import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

/** kafkajs's own keep-alive delay. */
const KEEP_ALIVE_MS = 60_000;

/**
 * The sockets of one bus's kafkajs clients, so close() can guarantee none
 * stays open. kafkajs's disconnect() can miss connections a consumer opens
 * while it is rejoining its group after an outage (it keeps going after
 * disconnect() resolved, tulios/kafkajs#1147 and #1639); the bus closes
 * whatever is left and refuses new connections once closed.
 */
export class KafkaSockets {
  private readonly open = new Set<net.Socket>();
  private closed = false;

  /**
   * kafkajs's default socket factory plus TCP_NODELAY, as Kafka's own
   * clients set it: kafkajs multiplexes a consumer's fetch, heartbeats and
   * offset commits on one connection, and with Nagle's algorithm a small
   * request written while another is unacknowledged can wait for the
   * broker's delayed ACK (up to 40 ms on Linux).
   */
  readonly factory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    if (this.closed) {
      // Never connected, so no handle; kafkajs sees a connection error and gives up.
      const refused = new net.Socket();
      process.nextTick(() => refused.destroy(new Error('KafkaBus: closed')));
      return refused;
    }
    const socket = ssl
      ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEP_ALIVE_MS);
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    // closeAll() destroys with an error (below); this keeps that from being an uncaught
    // 'error' event on a socket kafkajs already let go of.
    socket.on('error', () => undefined);
    return socket;
  };

  /**
   * Refuses new connections, destroys the open ones and resolves once they
   * are closed. Destroyed with an error, because that is what makes kafkajs
   * fail the requests still waiting on them (a plain close leaves them, and
   * their timers, until the request timeout).
   */
  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.open].map(
        (socket) =>
          new Promise<void>((resolve) => {
            socket.once('close', () => resolve());
            socket.destroy(new Error('KafkaBus: closed'));
          }),
      ),
    );
  }
}
