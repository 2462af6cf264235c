import { connect, type Socket } from 'node:net';
import { ClientHandshake } from '../client/client-handshake';
import { encodeFrame, FrameDecoder } from '../wire/frame-codec';
import { HandshakeKey } from '../wire/handshake';

/**
 * A bare TCP peer of an RPC server, for tests that speak the wire directly:
 * it collects every decoded frame and knows when the server closed it.
 */
export class RawPeer {
  readonly frames: unknown[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder(16 * 1024 * 1024);
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.frames.push(...this.decoder.push(chunk));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawPeer(socket)));
      socket.once('error', reject);
    });
  }

  /** Opens a connection and passes the handshake with `secret`. */
  static async authenticated(port: number, secret: string): Promise<RawPeer> {
    const peer = await RawPeer.open(port);
    const handshake = new ClientHandshake(new HandshakeKey(secret));
    peer.send(handshake.hello());
    const answer = handshake.answer(await peer.next());
    if ('failed' in answer) throw new Error(answer.failed);
    peer.send(answer.send);
    return peer;
  }

  send(value: unknown): void {
    this.socket.write(encodeFrame(value));
  }

  /** The next frame not yet taken, waiting up to `timeoutMs`. */
  async next(timeoutMs = 2000): Promise<unknown> {
    const end = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closed || Date.now() > end) throw new Error(this.closed ? 'closed by the server' : 'no frame in time');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.frames.shift();
  }

  /** Resolves true once the server closed the connection, false after `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
