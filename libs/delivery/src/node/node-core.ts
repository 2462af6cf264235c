import type { Envelope } from '@spear/bus';
import { DEFAULT_DEVICE, type Ack, type MsgEvent, type ReadyEvent } from '@spear/protocol';
import type { DeviceAck } from '../log/user-log';
import { admit, CLIENT_EVENTS, type ClientEvent, type ClientPayload } from './client-events';
import type { LiveNode } from './cluster';
import { purgeDeadNode } from './dead-node-purge';
import { applyAck } from './device-acks';
import { catchUpAfterGap } from './after-gap';
import { HoleRepair } from './hole-repair';
import { followMembership, kickSession } from './control-envelopes';
import { GroupRooms, hookCallerOf } from './group-rooms';
import { refusalOf } from './refusal';
import { routeCall } from './rpc-routes';
import { LocalHub } from './local-hub';
import { MessagePath, type LocalDelivery } from './message-path';
import { OfflineSenders } from './offline-senders';
import { Rebalancer, tellToMigrate } from './rebalancer';
import { raiseFloor } from './seq-holes';
import { Session } from './session';
import type { Admitted, CoreCounters, NodeCoreOptions, NodeCorePorts } from './node-options';

/**
 * A spear node's one front door: every connection that arrives or leaves,
 * every client event (send, publish, ack, join, leave) and every envelope from
 * the bus enters here; the transport only adapts (see {@link Transport}).
 *
 * Guarantees (PROTOCOL.md, delivery v1.1):
 * - a `send` is acked only after the message is in the recipient's log, and
 *   its forward has left this node (see {@link MessagePath});
 * - 1:1 messages from one sender to one recipient reach each connection in the
 *   order their sends were acked (sends serialized per connection, each
 *   forward answered before the next; replays never overtaken by live
 *   messages); a refused forward retried later is placed by its seq;
 * - every connection of a user gets every 1:1 message; a message is
 *   redelivered on every new connection of a device until that device acks it
 *   (at-least-once; clients drop duplicates by id), in seq order;
 * - after a bus gap, or a hole in its seqs that stays open (HoleRepair), a
 *   local connection gets from the log what its device has not acked;
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
  private readonly rooms: GroupRooms<C>;
  private readonly rebalancer: Rebalancer<C>;
  private readonly holes: HoleRepair<C>;
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
    const { offlinePerSender, ...delivery } = options.delivery;
    const senders = offlinePerSender && new OfflineSenders(offlinePerSender.perSecond, offlinePerSender.burst);
    this.messages = new MessagePath(ports.store, ports.bus, ports.ids, { ...delivery, kind: 'send', senders }, this);
    this.rooms = new GroupRooms(this.hub, ports, options.namespaces, options.groupLimits);
    this.holes = new HoleRepair(ports.store, (s, m) => this.emitMsg(s, m), ports.logger, options.holeRepair, (n) => this.counters.repaired?.(n));
    this.rebalancer = new Rebalancer(this.nodeId, options.migration, () => this.hub.sessions(), (s) => tellToMigrate(ports.transport, s, 'rebalance', options.migration), ports.logger);
  }

  /** Subscribes to the bus and starts refreshing this node's routes. */
  async start(): Promise<void> {
    const { bus, logger, store } = this.ports;
    await bus.start(
      this.nodeId,
      (envelope) => this.fromBus(envelope),
      // The bus may have dropped envelopes while it was reconnecting: what matters is in the logs.
      () => void this.replayLogs().catch((e: unknown) => logger.warn({ err: String(e) }, 'log replay after a bus gap failed')),
    );
    this.refreshTimer = setInterval(() => {
      void store.refresh(this.hub.uids()).catch(() => undefined);
      void store.refreshGroups(this.hub.groupPairs()).catch(() => undefined);
    }, this.options.routeRefreshMs);
    this.refreshTimer.unref();
    this.holes.start();
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
   * `ready` and what its device has not acked, then live messages. The
   * session is returned at once so the transport can route events and the
   * disconnect to it; a failed arrival closes the connection. `admitted`:
   * what the connect hook answered (groups to be in before `ready`, `meta`).
   */
  connect(conn: C, uid: string, sessionId: string, device: string = DEFAULT_DEVICE, tokenRef?: string, admitted?: Admitted): Session<C> {
    const session = new Session(conn, uid, sessionId, device, tokenRef);
    session.meta = admitted?.meta ?? null;
    this.arrive(session, admitted?.groups ?? []).catch((error: unknown) => {
      this.ports.logger.warn({ uid, err: String(error) }, 'connection setup failed; closing it');
      this.ports.transport.close(conn);
    });
    return session;
  }

  private async arrive(session: Session<C>, hookGroups: readonly string[]): Promise<void> {
    const { store, transport } = this.ports;
    const first = this.hub.add(session);
    // One script, one round trip: this node in the user's route (first connection here), the device's
    // unacked messages, the user's groups.
    const { messages: stored, gap, groups, last } = await store.arrive(session.uid, session.device, first);
    // It left while arriving: nothing to say. Its route entry needs no undoing here: the disconnect's
    // offline was issued after this arrival (the store applies one node's calls in order).
    if (session.closed) return;
    raiseFloor(session, last); // what it had acked, and the replay below, account for every seq up to `last`
    const all = await this.rooms.enterAtConnect(session, groups, hookGroups);
    const ready: ReadyEvent = { uid: session.uid, node: this.nodeId, sessionId: session.id, device: session.device, groups: all, gap };
    transport.emit(session.conn, 'ready', ready);
    for (const m of stored) this.emitMsg(session, m);
    const live = session.buffered!;
    session.buffered = undefined;
    const seen = live.length > 0 ? new Set(stored.map((m) => m.id)) : undefined;
    for (const m of live) if (!seen!.has(m.id)) this.emitMsg(session, m);
    // Accepted just before the drain began: it missed the drain's migrate.
    if (this.drainEvent) transport.emit(session.conn, 'migrate', this.drainEvent);
  }

  /** The connection is gone (closed by either side): leaves its groups, and the route when it was the uid's last here. */
  async disconnect(session: Session<C>): Promise<void> {
    if (session.closed) return;
    session.closed = true;
    await this.rooms.leaveAll(session);
    if (this.hub.remove(session)) await this.ports.store.offline(session.uid).catch(() => undefined);
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
    return CLIENT_EVENTS[event].serialize ? session.serialize(run) : run();
  }

  private async run(session: Session<C>, event: ClientEvent, payload: unknown, reply?: (ack: Ack) => void): Promise<Ack> {
    this.inFlight++;
    let ack: Ack;
    try {
      const valid = admit(session, event, payload, this.options.rateLimit, () => this.ports.transport.close(session.conn));
      ack = { ok: true, ...(await this.handle(session, event, valid)) };
    } catch (error) {
      const { code, message, counted, unexpected } = refusalOf(error);
      if (unexpected) this.ports.logger.warn({ event, err: String(error) }, 'event failed');
      this.counters.refused?.(counted);
      ack = { ok: false, error: { code, message } };
    }
    this.inFlight--;
    reply?.(ack);
    return ack;
  }

  private async handle(session: Session<C>, event: ClientEvent, payload: unknown): Promise<object> {
    const { store } = this.ports;
    switch (event) {
      case 'send': {
        const p = payload as ClientPayload<'send'>;
        const sent = await this.messages.toUser(session.uid, p.to, p.body, p.cid, session.id);
        this.holes.note(session, sent.seq); // its sender copy's seq is in the ack: this connection knows it
        this.counters.stored?.('send');
        return sent;
      }
      case 'publish': {
        const p = payload as ClientPayload<'publish'>;
        const body = await this.rooms.policy.mayPublish(hookCallerOf(session), p.group, p.body, (b) => this.messages.checkBody(b));
        const sent = await this.messages.toGroup(session.uid, p.group, body);
        this.counters.stored?.('publish');
        return sent;
      }
      case 'join':
        await this.rooms.join(session, payload as ClientPayload<'join'>);
        return {};
      case 'leave':
        await this.rooms.leave(session, (payload as ClientPayload<'leave'>).group);
        return {};
      case 'ack':
        await applyAck(store, session, payload as DeviceAck);
        return {};
      case 'history':
        return { messages: await store.historyOf(session.uid, payload as ClientPayload<'history'>) };
      case 'rpc':
        return routeCall(this.ports.routes, { ...hookCallerOf(session), sessionId: session.id, node: this.nodeId }, payload as ClientPayload<'rpc'>);
    }
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
        reached = this.hub.forUser(envelope.owner ?? envelope.p.to, this.offer, envelope);
        break;
      case 'group':
        reached = transport.emitToGroup(envelope.p.group, 'group', envelope.p);
        break;
      case 'broadcast':
        reached = transport.emitToAll('broadcast', envelope.p);
        break;
      case 'kick':
        reached = this.hub.forUser(envelope.p.uid, kickSession, { transport: this.ports.transport, ...envelope.p });
        break;
      case 'member':
        reached = this.hub.forUser(envelope.p.uid, followMembership, { rooms: this.rooms, logger: this.ports.logger, ...envelope.p });
        break;
    }
    this.counters.emitted?.(reached);
  }

  /** A live 1:1 message for one session (not the sender copy's origin): emitted now, or held until its connect replay is done. */
  private readonly offer = (session: Session<C>, envelope: Envelope & { t: 'msg' }): void => {
    if (session.id === envelope.skip) return;
    if (session.buffered) session.buffered.push(envelope.p);
    else this.emitMsg(session, envelope.p);
  };

  /** A 1:1 message to one connection (its seq: what the connection may ack up to, and whether it shows a hole: seq-holes.ts). */
  private emitMsg(session: Session<C>, message: MsgEvent): void {
    this.holes.note(session, message.seq);
    this.ports.transport.emit(session.conn, 'msg', message);
  }

  /** After a bus gap: each local connection gets what its device missed and its memberships as stored now (see after-gap.ts). */
  private async replayLogs(): Promise<void> {
    const sessions = await catchUpAfterGap(this.hub.sessions(), this.ports.store, this.rooms, (s, m) => this.emitMsg(s, m));
    this.ports.logger.info({ sessions }, 'logs replayed after a bus gap');
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
    this.holes.stop();
    this.rebalancer.stop();
    this.drain('shutdown');
    const deadline = Date.now() + this.options.migration.drainMs;
    while (Date.now() < deadline && (this.hub.size > 0 || this.inFlight > 0)) await new Promise((r) => setTimeout(r, 50));
    for (const session of [...this.hub.sessions()]) this.ports.transport.close(session.conn);
    await this.ports.bus.close();
  }
}
