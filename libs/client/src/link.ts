import type { MigrateEvent, ReadyEvent } from '@spear/protocol';
import { backoffDelay, migrateDelay } from './backoff';
import { asSpearError, SpearError } from './errors';
import type { ResolvedOptions } from './options';
import { Session, type DeliveryKind, type SessionHooks } from './session';
import { fetchTicket, isPermanent } from './ticket';

/** Why the client is connecting again. `manual`: the app called `reconnect()`. */
export type ReconnectReason = 'disconnect' | 'migrate' | 'manual';

/** Payload of `reconnecting`: attempt n (from 1) starts after `delayMs`; `error` is why the previous attempt failed. */
export interface ReconnectingInfo {
  reason: ReconnectReason;
  attempt: number;
  delayMs: number;
  error?: SpearError;
}

export interface LinkHooks {
  onDelivery(kind: DeliveryKind, payload: { id: string }, session: Session): void;
  /**
   * A new session got its `ready`, before its preparation and adoption: what
   * the server says once (`gap`) must not be lost when the attempt fails later.
   */
  onOpened(ready: ReadyEvent): void;
  /** A new session is ready but not yet in use: rejoin groups on it (make-before-break). A rejection fails the attempt. */
  prepare(session: Session): Promise<void>;
  /** `session` is now the one calls use. `attempts` is 0 for the first connection. */
  onAdopted(ready: ReadyEvent, attempts: number): void;
  onReconnecting(info: ReconnectingInfo): void;
  /** A permanent refusal (e.g. invalid_token) after the first connection: the client must close. */
  onFatal(error: SpearError): void;
  /** The server kicked the connection in use (`kicked {reason}`): the client must close, not reconnect. */
  onKicked(reason: string): void;
}

/** How long a node that could not be reached is left out of ticket requests (unless reached meanwhile). */
const AVOID_UNREACHABLE_MS = 10_000;
/** socket.io's disconnect reason when the server closed the connection (the node is alive). */
const SERVER_CLOSED = 'io server disconnect';
/** The most node ids one ticket request names in `avoid` (ticket refuses more than 16). */
const MAX_AVOID = 8;

interface Waiter {
  resolve(session: Session): void;
  reject(error: SpearError): void;
}

/**
 * The client's connection over time: always at most one session in use
 * (`current`), replaced by a new one on loss (with backoff) or on migrate
 * (make-before-break: the old one stays in use until the new one is ready).
 * Every session gets a fresh ticket. One reconnect loop at a time. A node
 * that could not be reached is named in the next ticket requests' `avoid`
 * for a while, so clients of a crashed node move on at once; so is a node
 * whose connection dropped without the server closing it.
 */
export class Link {
  private current?: Session;
  private readonly opening = new Set<Session>();
  /** node id -> until when ticket requests ask to avoid it. */
  private readonly unreachable = new Map<string, number>();
  private looping = false;
  private closed = false;
  private wake?: () => void;
  private readonly readyWaiters = new Set<Waiter>();
  private readonly adoptWaiters = new Set<Waiter>();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly hooks: LinkHooks,
  ) {}

  /** The first connection: resolves on its `ready`; rejects on a permanent refusal or after connectTimeoutMs. */
  start(): Promise<void> {
    this.looping = true;
    return this.establish('connect', 0, Date.now() + this.options.connectTimeoutMs);
  }

  get session(): Session | undefined {
    return this.current;
  }

  /** Starts a reconnect loop unless one is running; `manual` makes one even while connected. */
  reconnect(reason: ReconnectReason, firstDelayMs: number): void {
    if (this.closed || this.looping) return;
    this.looping = true;
    this.establish(reason, firstDelayMs, Infinity).catch((error: unknown) => {
      if (!this.closed) this.hooks.onFatal(asSpearError(error));
    });
  }

  /** The session in use, now or as soon as there is one; rejects with `timeout` at `deadline` or `closed`. */
  whenReady(deadline: number): Promise<Session> {
    if (this.current?.connected) return Promise.resolve(this.current);
    return this.wait(this.readyWaiters, deadline);
  }

  /** The next session adopted (after a reconnect); rejects with `timeout` at `deadline` or `closed`. */
  nextAdopted(deadline: number): Promise<Session> {
    return this.wait(this.adoptWaiters, deadline);
  }

  /**
   * Stops everything: no more reconnects, every session closed, every waiter
   * rejected with `closed`. `lingerMs`: the session in use closes only once
   * its calls in flight are answered (at most that long), e.g. last acks.
   */
  close(error = new SpearError('closed', 'the client was closed'), lingerMs = 0): void {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    if (lingerMs > 0) this.current?.retire(lingerMs);
    else this.current?.close();
    this.current = undefined;
    for (const s of this.opening) s.close();
    for (const w of [...this.readyWaiters, ...this.adoptWaiters]) w.reject(error);
    this.readyWaiters.clear();
    this.adoptWaiters.clear();
  }

  /**
   * Tries until a session is adopted. Clears `looping` itself, right before
   * adopting or failing, so that a migrate found on the adopted session can
   * start the next loop at once.
   */
  private async establish(reason: ReconnectReason | 'connect', firstDelayMs: number, deadline: number): Promise<void> {
    try {
      await this.attempts(reason, firstDelayMs, deadline);
    } catch (error) {
      this.looping = false;
      throw error;
    }
  }

  private async attempts(reason: ReconnectReason | 'connect', firstDelayMs: number, deadline: number): Promise<void> {
    let delay = firstDelayMs;
    let lastError: SpearError | undefined;
    for (let attempt = 0; ; attempt++) {
      if (reason !== 'connect') this.hooks.onReconnecting({ reason, attempt: attempt + 1, delayMs: delay, ...(lastError ? { error: lastError } : {}) });
      await this.sleep(Math.min(delay, deadline - Date.now()));
      if (this.closed) throw new SpearError('closed', 'the client was closed');
      if (Date.now() >= deadline) throw lastError ?? new SpearError('timeout', 'could not connect in time');
      try {
        const session = await this.open();
        this.looping = false;
        this.adopt(session, reason === 'connect' ? 0 : attempt + 1);
        return;
      } catch (error) {
        lastError = asSpearError(error);
        if (this.closed || isPermanent(lastError)) throw lastError;
        delay = backoffDelay(attempt, this.options.backoff);
      }
    }
  }

  /** Ticket, socket, `ready`, then the client's preparation (group rejoins). */
  private async open(): Promise<Session> {
    const { ticketUrl, uid, fetch, timeoutMs, transports, device } = this.options;
    const now = Date.now();
    for (const [node, until] of this.unreachable) if (until <= now) this.unreachable.delete(node);
    // The newest few: ticket refuses a list longer than 16 as bad_request.
    const avoid = [...this.unreachable.keys()].slice(-MAX_AVOID);
    const ticket = await fetchTicket({ ticketUrl, uid, token: await this.options.token(), fetch, timeoutMs, avoid });
    if (this.closed) throw new SpearError('closed', 'the client was closed');
    const hooks: SessionHooks = {
      onDelivery: (kind, payload, s) => this.hooks.onDelivery(kind, payload, s),
      onMigrate: (s, event) => this.onMigrate(s, event),
      onKicked: (s, event) => {
        if (s === this.current && !this.closed) this.hooks.onKicked(event.reason);
      },
      onLost: (s, reason) => this.onLost(s, reason),
    };
    const session = new Session(ticket.node.url, ticket.ticket, transports, hooks, device);
    this.opening.add(session);
    let reached = false;
    try {
      const ready = await session.opened(timeoutMs);
      reached = true;
      this.unreachable.delete(ticket.node.id);
      this.hooks.onOpened(ready);
      await this.hooks.prepare(session);
      if (!session.connected) throw new SpearError('disconnected', 'the new connection dropped while rejoining groups');
      return session;
    } catch (error) {
      // A node that cannot be reached (not one that refused us) is likely down: ask ticket for
      // another one until ZooKeeper catches up, rather than retrying it.
      // Only a node we never got to: a failure after ready (a rejoin timing out) says nothing about it.
      const code = asSpearError(error).code;
      if (!reached && (code === 'network' || code === 'timeout')) this.avoid(ticket.node.id);
      session.close();
      throw error;
    } finally {
      this.opening.delete(session);
    }
  }

  private adopt(session: Session, attempts: number): void {
    const old = this.current;
    this.current = session;
    old?.retire(this.options.timeoutMs);
    for (const w of this.readyWaiters) w.resolve(session);
    for (const w of this.adoptWaiters) w.resolve(session);
    this.readyWaiters.clear();
    this.adoptWaiters.clear();
    this.hooks.onAdopted(session.ready!, attempts);
    // The node we just reached may have started draining while we joined it.
    if (session.migrate) this.onMigrate(session, session.migrate);
  }

  private onMigrate(session: Session, event: MigrateEvent): void {
    // A session not yet adopted is handled in adopt(); an old one being retired is already replaced.
    if (session !== this.current || this.closed) return;
    if (this.looping) return; // the session the loop adopts is checked for its own migrate in adopt()
    this.reconnect('migrate', migrateDelay(event.retryAfterMs, this.options.backoff));
  }

  private onLost(session: Session, reason: string): void {
    if (session !== this.current) return;
    // Calls wait for the next session from now on; a running loop (a migrate) will provide it.
    this.current = undefined;
    // Closed without the server saying so (a crash, a network failure): the node may be gone, and ticket
    // names it again until ZooKeeper notices (its session timeout). Asking for another node at once
    // saves every client of a crashed node a ticket and a failed connection, which is what a mass
    // reconnect costs. If the node was fine after all, the user is served elsewhere (messages follow
    // the route table) and is moved back at the next ring change or reconnect after the avoid window.
    if (reason !== SERVER_CLOSED && session.ready) this.avoid(session.ready.node);
    this.reconnect('disconnect', backoffDelay(0, this.options.backoff));
  }

  /** Leaves `node` out of ticket requests for AVOID_UNREACHABLE_MS (newest last: the list is trimmed from the front). */
  private avoid(node: string): void {
    this.unreachable.delete(node);
    this.unreachable.set(node, Date.now() + AVOID_UNREACHABLE_MS);
  }

  private sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private wait(set: Set<Waiter>, deadline: number): Promise<Session> {
    if (this.closed) return Promise.reject(new SpearError('closed', 'the client was closed'));
    return new Promise<Session>((resolve, reject) => {
      // Math.min: setTimeout treats delays beyond 2^31 - 1 ms as 1 ms.
      const timer = setTimeout(() => {
        set.delete(waiter);
        reject(new SpearError('timeout', 'no connection within the time budget'));
      }, Math.min(Math.max(0, deadline - Date.now()), 2 ** 31 - 1));
      const waiter: Waiter = {
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      set.add(waiter);
    });
  }
}
