import { connect, type Socket } from 'node:net';
import { RpcError } from '../errors';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder, FrameError } from '../wire/frame-codec';
import { HANDSHAKE_MAX_FRAME_BYTES, type HandshakeKey } from '../wire/handshake';
import { parseReply } from '../wire/messages';
import { ClientHandshake } from './client-handshake';

interface Pending {
  resolve(value: unknown): void;
  reject(error: RpcError): void;
  timer: NodeJS.Timeout;
}

/**
 * One persistent TCP connection to one provider, shared by every call to it
 * (multiplexed by request id). Dials lazily and again after a loss; a dial
 * is done once both ends proved they hold the cluster secret (spear-rpc/2).
 *
 * Guarantee: every `request` settles exactly once: with the reply, or with
 * `timeout` after its deadline, or with `connection_lost` / `not_sent` when
 * the connection fails first. Nothing stays pending after `close()`.
 */
export class ProviderConnection {
  /** In-flight calls: what the least-active balancer reads. */
  active = 0;
  private socket?: Socket;
  private connecting?: Promise<Socket>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    readonly id: string,
    readonly host: string,
    readonly port: number,
    public weight: number,
    private readonly key: HandshakeKey,
    private readonly connectTimeoutMs = 1000,
    private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
  ) {}

  /** Sends a request and resolves with the provider's reply. */
  async request(pattern: string, data: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closed) throw new RpcError('not_sent', `connection to ${this.id} is closed`, this.id);
    const deadline = Date.now() + timeoutMs;
    let socket: Socket;
    try {
      socket = this.socket ?? (await this.dial());
    } catch (error) {
      throw new RpcError('not_sent', `cannot connect to ${this.id}: ${(error as Error).message}`, this.id);
    }
    const id = this.nextId++;
    if (this.nextId > 0x7fffffff) this.nextId = 1;
    this.active++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.settle(id)) reject(new RpcError('timeout', `no reply from ${this.id} within ${timeoutMs} ms`, this.id));
      }, Math.max(1, deadline - Date.now()));
      this.pending.set(id, { resolve, reject, timer });
      this.write(socket, encodeFrame({ i: id, p: pattern, d: data }));
    });
  }

  /** Fire-and-forget (at-most-once): dropped when the connection is down. */
  async notify(pattern: string, data: unknown): Promise<void> {
    const socket = this.socket ?? (await this.dial());
    socket.write(encodeFrame({ p: pattern, d: data }));
  }

  /** Calls made in one tick leave in one write: the write syscall was the top cost per call. */
  private write(socket: Socket, frame: Buffer): void {
    if (!socket.writableCorked) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    socket.write(frame);
  }

  /** Closes the connection; pending calls fail with connection_lost. */
  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.failAll('connection to the provider was closed');
  }

  private dial(): Promise<Socket> {
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      // The whole dial, handshake included, is bounded by the connect timeout.
      const timer = setTimeout(() => socket.destroy(new Error(`connect timeout after ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
      const handshake = new ClientHandshake(this.key);
      let ready = false;
      socket.once('connect', () => socket.write(encodeFrame(handshake.hello())));
      const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME_BYTES);
      socket.on('data', (chunk) => {
        try {
          for (const value of decoder.push(chunk)) {
            if (ready) {
              this.onReply(value);
              continue;
            }
            const outcome = handshake.answer(value);
            if ('failed' in outcome) return void socket.destroy(new Error(outcome.failed));
            // Calls may follow our proof at once: the provider reads frames in order.
            socket.write(encodeFrame(outcome.send));
            ready = true;
            decoder.limit(this.maxFrameBytes);
            clearTimeout(timer);
            this.socket = socket;
            resolve(socket);
          }
        } catch (error) {
          if (error instanceof FrameError) socket.destroy(error);
          else throw error;
        }
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('close', () => {
        clearTimeout(timer);
        if (this.socket === socket) this.socket = undefined;
        this.connecting = undefined;
        reject(new Error('connection closed'));
        this.failAll(`connection to ${this.id} was lost`);
      });
    });
    return this.connecting;
  }

  private onReply(value: unknown): void {
    const reply = parseReply(value);
    if (!reply) return;
    const pending = this.pending.get(reply.i);
    if (!pending || !this.settle(reply.i)) return; // late reply after a timeout: dropped
    if (reply.e) pending.reject(new RpcError(reply.e.code, reply.e.message, this.id));
    else pending.resolve(reply.r);
  }

  /** Removes a pending call; false when it had already settled. */
  private settle(id: number): boolean {
    const pending = this.pending.get(id);
    if (!pending) return false;
    clearTimeout(pending.timer);
    this.pending.delete(id);
    this.active--;
    return true;
  }

  private failAll(message: string): void {
    for (const [id, pending] of [...this.pending]) {
      if (this.settle(id)) pending.reject(new RpcError('connection_lost', message, this.id));
    }
  }
}
