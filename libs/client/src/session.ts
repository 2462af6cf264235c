import { io, type Socket } from 'socket.io-client';
import type { Ack, KickedEvent, MigrateEvent, ReadyEvent } from '@spear/protocol';
import { HANDSHAKE_ERRORS } from '@spear/protocol/errors';
import { SpearError } from './errors';

/** Server → client events that carry messages. */
export type DeliveryKind = 'msg' | 'group' | 'broadcast';

/**
 * The handshake refusals of PROTOCOL.md (connect_error's message), from the
 * protocol's error catalog; imported by its own entry point so the SDK does
 * not load the protocol's schema library at runtime.
 */
const HANDSHAKE_CODES: ReadonlySet<string> = new Set(HANDSHAKE_ERRORS);

export interface SessionHooks {
  onDelivery(kind: DeliveryKind, payload: { id: string }, session: Session): void;
  onMigrate(session: Session, event: MigrateEvent): void;
  /** The server said `kicked` (v1.1): it closes the connection next, and the client must not come back on its own. */
  onKicked(session: Session, event: KickedEvent): void;
  /** The connection dropped after `ready`, not because this side closed it. */
  onLost(session: Session, reason: string): void;
}

/** How a call ended: the server's ack, or no ack because the connection dropped or the time ran out. */
export type CallOutcome = { ack: Ack<Record<string, unknown>> } | { lost: 'disconnected' | 'timeout' };

/**
 * One socket.io connection made with one ticket, from handshake to close.
 * It never reconnects by itself (a ticket is accepted once); Link makes new ones.
 * The handshake's auth is `{ticket, device?}` (device: v1.1, omitted when none).
 */
export class Session {
  private readonly socket: Socket;
  private readonly readyPromise: Promise<ReadyEvent>;
  private closedByUs = false;
  private inFlight = 0;
  private idle?: () => void;
  /** The server's ready event, once it came. */
  ready?: ReadyEvent;
  /** Set when the server asked this connection to move (possibly before Link adopted it). */
  migrate?: MigrateEvent;

  constructor(url: string, ticket: string, transports: string[], private readonly hooks: SessionHooks, device?: string) {
    const auth = device === undefined ? { ticket } : { ticket, device };
    // forceNew: two sessions to the same node coexist while migrating; a shared Manager would tie them together.
    this.socket = io(url, { auth, transports, reconnection: false, forceNew: true });
    this.readyPromise = new Promise<ReadyEvent>((resolve, reject) => {
      this.socket.once('ready', (event: ReadyEvent) => {
        this.ready = event;
        resolve(event);
      });
      this.socket.once('connect_error', (error: Error) => {
        const code = HANDSHAKE_CODES.has(error.message) ? error.message : 'network';
        reject(new SpearError(code, code === 'network' ? `cannot connect to ${url}: ${error.message}` : `handshake refused: ${error.message}`));
        this.close();
      });
      this.socket.on('disconnect', (reason: string) => {
        if (!this.ready) reject(new SpearError('disconnected', `connection to ${url} closed before ready (${reason})`));
        else if (!this.closedByUs) this.hooks.onLost(this, reason);
      });
    });
    // Marked handled: callers may never await it (a session closed early); opened() is the way to read it.
    this.readyPromise.catch(() => undefined);
    for (const kind of ['msg', 'group', 'broadcast'] as const) {
      this.socket.on(kind, (payload: unknown) => {
        if (isDelivery(payload)) this.hooks.onDelivery(kind, payload, this);
      });
    }
    this.socket.on('kicked', (event: KickedEvent) => this.hooks.onKicked(this, { reason: typeof event?.reason === 'string' ? event.reason : 'kicked' }));
    this.socket.on('migrate', (event: MigrateEvent) => {
      this.migrate = event;
      this.hooks.onMigrate(this, event);
    });
  }

  /** Resolves with `ready`; rejects with the handshake's refusal code, `network`, `disconnected` or `timeout` (and closes). */
  async opened(timeoutMs: number): Promise<ReadyEvent> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SpearError('timeout', `no ready within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.readyPromise, timeout]);
    } catch (error) {
      this.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  get connected(): boolean {
    return this.socket.connected && !this.closedByUs;
  }

  /** Emits `event` with an ack callback; never rejects. */
  call(event: string, payload: unknown, timeoutMs: number): Promise<CallOutcome> {
    if (!this.connected) return Promise.resolve({ lost: 'disconnected' });
    this.inFlight++;
    return new Promise<CallOutcome>((resolve) => {
      this.socket.timeout(timeoutMs).emit(event, payload, (error: Error | null, ack: unknown) => {
        if (--this.inFlight === 0) this.idle?.();
        if (error) resolve({ lost: this.socket.connected ? 'timeout' : 'disconnected' });
        else if (isAck(ack)) resolve({ ack });
        else resolve({ ack: { ok: false, error: { code: 'internal', message: 'malformed ack from server' } } });
      });
    });
  }

  /**
   * Closes once the calls already sent have their acks (or after `graceMs`),
   * so a send in flight on a connection being replaced is not reported as
   * lost. Meanwhile the connection still delivers; duplicates are dropped upstream.
   */
  retire(graceMs: number): void {
    if (this.inFlight === 0) return this.close();
    const timer = setTimeout(() => this.close(), graceMs);
    this.idle = () => {
      clearTimeout(timer);
      this.close();
    };
  }

  close(): void {
    this.closedByUs = true;
    this.socket.close();
  }
}

function isDelivery(payload: unknown): payload is { id: string } {
  return typeof payload === 'object' && payload !== null && typeof (payload as { id?: unknown }).id === 'string';
}

function isAck(value: unknown): value is Ack<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}
