import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';

/**
 * A socket.io connection spoken by hand (engine.io v4 over a websocket), so a
 * test can send frames no well-behaved client would: garbage, truncated
 * packets, huge frames. Answers the server's pings.
 */
export interface RawConnection {
  ws: WebSocket;
  /** Every text frame the server sent after the handshake. */
  received: string[];
  /** Resolves with the close code once the connection is gone. */
  closed: Promise<number>;
  readonly open: boolean;
}

/** Opens a websocket to `baseUrl`, completes the socket.io CONNECT with `ticket`; rejects with the refusal. */
export function rawConnect(baseUrl: string, ticket: string, timeoutMs = 10_000): Promise<RawConnection> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { maxPayload: 100 * 1024 * 1024 });
  const received: string[] = [];
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('error', () => undefined); // a refusal or reset surfaces as close
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('raw connect timed out')), timeoutMs);
    let connected = false;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      if (text === '2') return ws.send('3'); // ping -> pong
      if (text.startsWith('0')) return ws.send(`40${JSON.stringify({ ticket })}`);
      if (!connected && text.startsWith('40')) {
        connected = true;
        clearTimeout(timer);
        return resolve({ ws, received, closed, get open() { return ws.readyState === WebSocket.OPEN; } });
      }
      if (!connected && text.startsWith('44')) {
        clearTimeout(timer);
        ws.close();
        return reject(new Error((JSON.parse(text.slice(2)) as { message: string }).message));
      }
      received.push(text);
    });
    void closed.then((code) => {
      clearTimeout(timer);
      if (!connected) reject(new Error(`closed during the handshake (${code})`));
    });
  });
}

/** A raw TCP connection to host:port (for slow or never-finished HTTP requests). */
export function rawTcp(baseUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends raw bytes over TCP and collects the answer until the server closes or `ms` pass. */
export async function rawHttp(baseUrl: string, request: string | Buffer, ms = 5000): Promise<string> {
  const socket = await rawTcp(baseUrl);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = () => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', done);
    socket.on('error', done);
    setTimeout(done, ms).unref();
    socket.write(request);
  });
}
