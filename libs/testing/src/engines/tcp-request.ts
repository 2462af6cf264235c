import { connect } from 'node:net';

/** Options for {@link tcpRequest}. */
export interface TcpRequestOptions {
  host?: string;
  timeoutMs?: number;
  /** Resolve as soon as the reply so far satisfies this; otherwise wait for the server to close. */
  complete?: (reply: string) => boolean;
}

/**
 * Sends `payload` over a fresh TCP connection and resolves with the text reply, or
 * null on connection error or timeout. Used for ZooKeeper four-letter words and Redis
 * PING, so status checks need no client library and never hang.
 */
export function tcpRequest(port: number, payload: string, options: TcpRequestOptions = {}): Promise<string | null> {
  const { host = '127.0.0.1', timeoutMs = 1_000, complete } = options;
  return new Promise((resolve) => {
    let reply = '';
    let settled = false;
    const socket = connect({ host, port });
    const finish = (value: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(payload));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (complete?.(reply)) finish(reply);
    });
    socket.once('end', () => finish(reply));
    socket.once('error', () => finish(null));
  });
}
