import type { Envelope } from '@spear/bus';
import { ProtocolError, type Ack, type ErrorCode, type MsgEvent } from '@spear/protocol';
import { admit, CLIENT_EVENTS, type ClientEvent, type ClientPayload } from './client-events';
import type { LiveNode } from './cluster';
import { purgeDeadNode } from './dead-node-purge';
import { groupsOf, LocalHub } from './local-hub';
import { MessagePath, type LocalDelivery } from './message-path';
import { Rebalancer } from './rebalancer';
import { Session } from './session';
import type { CoreCounters, NodeCoreOptions, NodeCorePorts } from './node-options';

/**
 * A spear node's one front door: every connection that arrives or leaves,
 * every client event (send, publish, ack, join, leave) and every envelope from
 * the bus enters here; the transport only adapts (see {@link Transport}).
 *
 * Guarantees (PROTOCOL.md, delivery):
 * - a `send` is acked only after the message is in the recipient's inbox, and
 *   its forward has left this node (see {@link MessagePath});
 * - 1:1 messages from one sender to one recipient reach each connection in the
 *   order their sends were acked (sends are serialized per connection; the
 *   bus keeps order per destination; a connecting session's replay is never
 *   overtaken by live messages);
 * - a 1:1 message is redelivered on every new connection of its recipient
 *   until acked (at-least-once; clients drop duplicates by id); every
 *   connection of a user gets every message;
 * - after a bus gap, every local user's inbox is handed out again;
 * - `publish` is acked once the message is in the group's history; `join`
 *   with `since` hands out the retained messages after it, then live ones;
 * - refusals carry the protocol's codes (ProtocolError), never a crash.
 *
 * The core also owns the node's cluster duties: route refresh, purge of a
 * dead node's routes (one survivor), rebalancing when the ring changes, drain.
 */
export class NodeCore<C> implements LocalDelivery {
  readonly nodeId: string;
  /** The message path of this node; ticket's push API uses its own instance of the same class. */
  readonly messages: MessagePath;
  private readonly hub = new LocalHub<C>();
  private readonly rebalancer: Rebalancer<C>;
  private readonly counters: Partial<CoreCounters>;
  /** Set by drain(): the node refuses new connections and tells late arrivals to move too. */
  private drainEvent?: { reason: string; retryAfterMs: number };
  private inFlight = 0;
  private refreshTimer?: NodeJS.Timeout;
  private known = new Set<string>();

  constructor(
    private readonly options: NodeCoreOptions,
    private readonly ports: NodeCorePorts<C>,
  ) {
    this.nodeId = options.nodeId;
    this.counters = ports.counters ?? {};
    this.messages = new MessagePath(ports.store, ports.bus, ports.ids, options.maxBodyBytes, this);
    this.rebalancer = new Rebalancer(this.nodeId, options.migration, () => this.hub.sessions(), (s) => this.migrate(s, 'rebalance'), ports.logger);
  }

  /** Subscribes to the bus and starts refreshing this node's routes. */
  async start(): Promise<void> {
    const { bus, logger, store } = this.ports;
    await bus.start(
      this.nodeId,
      (envelope) => this.fromBus(envelope),
      // The bus may have dropped envelopes while it was reconnecting: what matters is in the inboxes.
      () => void this.replayInboxes().catch((e: unknown) => logger.warn({ err: String(e) }, 'inbox replay after a bus gap failed')),
    );
    this.refreshTimer = setInterval(() => void store.refresh(this.hub.uids()).catch(() => undefined), this.options.routeRefreshMs);
    this.refreshTimer.unref();
  }

  /** False once draining: the transport refuses new connections with `draining`. */
  get accepting(): boolean {
    return this.drainEvent === undefined;
  }

  get userCount(): number {
    return this.hub.userCount;
  }

  get groupCount(): number {
    return this.hub.groupCount;
  }

  get sessionCount(): number {
    return this.hub.size;
  }

  /**
   * A connection was accepted (its ticket checked): registers it, then emits
   * `ready` and the unacked inbox, then live messages. The session is returned
   * at once so the transport can route events and the disconnect to it; a
   * failed arrival closes the connection.
   */
  connect(conn: C, uid: string, sessionId: string): Session<C> {
    const session = new Session(conn, uid, sessionId);
    this.arrive(session).catch((error: unknown) => {
      this.ports.logger.warn({ uid, err: String(error) }, 'connection setup failed; closing it');
      this.ports.transport.close(conn);
    });
    return session;
  }

  private async arrive(session: Session<C>): Promise<void> {
    const { store, transport } = this.ports;
    const first = this.hub.add(session);
    // One round trip: this node in the user's route (first connection here) and the inbox read.
    const stored = await store.arrive(session.uid, first);
    // It left while arriving: nothing to say. Its route entry needs no undoing here: the disconnect's
    // offline was issued after this arrival (the store applies one node's calls in order).
    if (session.closed) return;
    transport.emit(session.conn, 'ready', { uid: session.uid, node: this.nodeId, sessionId: session.id });
    for (const m of stored) transport.emit(session.conn, 'msg', m);
    const live = session.buffered!;
    session.buffered = undefined;
    const seen = live.length > 0 ? new Set(stored.map((m) => m.id)) : undefined;
    for (const m of live) if (!seen!.has(m.id)) transport.emit(session.conn, 'msg', m);
    // Accepted just before the drain began: it missed the drain's migrate.
    if (this.drainEvent) transport.emit(session.conn, 'migrate', this.drainEvent);
  }

  /** The connection is gone (closed by either side): leaves its groups, and the route when it was the uid's last here. */
  async disconnect(session: Session<C>): Promise<void> {
    if (session.closed) return;
    session.closed = true;
    const { bus, store } = this.ports;
    for (const group of groupsOf(session)) if (this.hub.leave(session, group).last) await bus.leaveGroup(group).catch(() => undefined);
    if (this.hub.remove(session)) await store.offline(session.uid).catch(() => undefined);
  }

  /**
   * A client event: rate-limited, validated, handled, and answered with the
   * protocol's ack (handed to `reply` as well, when given: no extra promise
   * on the transport's side). Never rejects. Sends and publishes of one
   * connection are handled one after the other, in arrival order.
   */
  receive(session: Session<C>, event: ClientEvent, payload: unknown, reply?: (ack: Ack) => void): Promise<Ack> {
    this.counters.received?.(event);
    const run = () => this.run(session, event, payload, reply);
    if (!CLIENT_EVENTS[event].serialize) return run();
    const next = (session.chain ?? Promise.resolve()).then(run);
    session.chain = next;
    return next;
  }

  private async run(session: Session<C>, event: ClientEvent, payload: unknown, reply?: (ack: Ack) => void): Promise<Ack> {
    this.inFlight++;
    let ack: Ack;
    try {
      const valid = admit(session, event, payload, this.options.rateLimit, () => this.ports.transport.close(session.conn));
      ack = { ok: true, ...(await this.handle(session, event, valid)) };
    } catch (error) {
      const known = error instanceof ProtocolError;
      if (!known) this.ports.logger.warn({ event, err: String(error) }, 'event failed');
      const code: ErrorCode = known ? error.code : 'internal';
      this.counters.refused?.(code);
      ack = { ok: false, error: { code, message: known ? error.message : 'internal error' } };
    }
    this.inFlight--;
    reply?.(ack);
    return ack;
  }

  private async handle(session: Session<C>, event: ClientEvent, payload: unknown): Promise<object> {
    switch (event) {
      case 'send': {
        const p = payload as ClientPayload<'send'>;
        const sent = await this.messages.toUser(session.uid, p.to, p.body, p.cid);
        this.counters.stored?.('send');
        return sent;
      }
      case 'publish': {
        const p = payload as ClientPayload<'publish'>;
        const sent = await this.messages.toGroup(session.uid, p.group, p.body);
        this.counters.stored?.('publish');
        return sent;
      }
      case 'join':
        return this.join(session, payload as ClientPayload<'join'>);
      case 'leave':
        await this.leaveGroup(session, (payload as ClientPayload<'leave'>).group);
        return {};
      case 'ack':
        await this.ports.store.ack(session.uid, (payload as ClientPayload<'ack'>).ids);
        return {};
    }
  }

  /** History first, then live: what was published meanwhile is caught by a second read (clients drop duplicates by id). */
  private async join(session: Session<C>, { group, since }: ClientPayload<'join'>): Promise<object> {
    if (since === undefined) {
      await this.enterGroup(session, group);
      return {};
    }
    const { store, transport } = this.ports;
    const first = await store.groupSince(group, since);
    for (const m of first) transport.emit(session.conn, 'group', m);
    await this.enterGroup(session, group);
    const last = first.length ? first[first.length - 1]!.id : since;
    for (const m of await store.groupSince(group, last)) transport.emit(session.conn, 'group', m);
    return {};
  }

  private async enterGroup(session: Session<C>, group: string): Promise<void> {
    if (session.closed) return;
    const { added, first } = this.hub.join(session, group);
    if (added) this.ports.transport.joinRoom(session.conn, group);
    if (first) await this.ports.bus.joinGroup(group);
  }

  private async leaveGroup(session: Session<C>, group: string): Promise<void> {
    const { removed, last } = this.hub.leave(session, group);
    if (removed) this.ports.transport.leaveRoom(session.conn, group);
    if (last) await this.ports.bus.leaveGroup(group);
  }

  /** An envelope from the bus, for this node's connections. */
  fromBus(envelope: Envelope): void {
    this.counters.consumed?.(envelope);
    this.deliverLocal(envelope);
  }

  /** Hands an envelope to the local connections it is for (from the bus, or from this node's own message path). */
  deliverLocal(envelope: Envelope): void {
    const { transport } = this.ports;
    let reached: number;
    switch (envelope.t) {
      case 'msg':
        reached = this.hub.forUser(envelope.p.to, this.offer, envelope.p);
        break;
      case 'group':
        reached = transport.emitToGroup(envelope.p.group, 'group', envelope.p);
        break;
      case 'broadcast':
        reached = transport.emitToAll('broadcast', envelope.p);
        break;
    }
    this.counters.emitted?.(reached);
  }

  /** A live 1:1 message for one session: emitted now, or held until its connect replay is done. */
  private readonly offer = (session: Session<C>, message: MsgEvent): void => {
    if (session.buffered) session.buffered.push(message);
    else this.ports.transport.emit(session.conn, 'msg', message);
  };

  /** After a bus gap: every local user's stored messages again (clients drop the ids they already have). */
  private async replayInboxes(): Promise<void> {
    let users = 0;
    for (const uid of [...this.hub.uids()]) {
      for (const message of await this.ports.store.unacked(uid)) this.deliverLocal({ t: 'msg', p: message });
      users++;
    }
    this.ports.logger.info({ users }, 'inboxes replayed after a bus gap');
  }

  /**
   * The live spear nodes changed (a registry watch). `live`: every node
   * registered, whatever its data (a node is alive while its znode is there:
   * the departed are purged); `ring`: those with usable data, as ticket places
   * users on them (the rebalancer builds the same ring).
   */
  nodesChanged(live: readonly string[], ring: readonly LiveNode[]): void {
    const now = new Set(live);
    for (const gone of this.known) if (!now.has(gone) && gone !== this.nodeId) void purgeDeadNode(gone, this.ports);
    this.known = now;
    this.rebalancer.onNodes(ring);
  }

  private migrate(session: Session<C>, reason: string): void {
    const { transport } = this.ports;
    const { graceMs, retryAfterMs } = this.options.migration;
    transport.emit(session.conn, 'migrate', { reason, retryAfterMs });
    setTimeout(() => session.closed || transport.close(session.conn), graceMs).unref();
  }

  /** Refuses new connections and tells every client to reconnect elsewhere. */
  drain(reason: string, retryAfterMs = this.options.migration.retryAfterMs): void {
    this.drainEvent = { reason, retryAfterMs };
    this.ports.transport.emitToAll('migrate', this.drainEvent);
  }

  /**
   * Shutdown: drain, wait (bounded by drainMs) for clients to leave and
   * events in flight to finish, close what is left, stop the bus.
   */
  async close(): Promise<void> {
    clearInterval(this.refreshTimer);
    this.rebalancer.stop();
    this.drain('shutdown');
    const deadline = Date.now() + this.options.migration.drainMs;
    while (Date.now() < deadline && (this.hub.size > 0 || this.inFlight > 0)) await new Promise((r) => setTimeout(r, 50));
    for (const session of [...this.hub.sessions()]) this.ports.transport.close(session.conn);
    await this.ports.bus.close();
  }
}
