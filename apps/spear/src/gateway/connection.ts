import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Bus } from '@spear/bus';
import { HistoryGoneError, type Arrivals, type GroupHistory, type Inbox, type MessageRouter, type RouteTable } from '@spear/delivery';
import type { PrefetchingIdSource } from '@spear/idgen-client';
import { ackPayload, encodedSize, joinPayload, leavePayload, publishPayload, sendPayload, type Ack, type MsgEvent } from '@spear/protocol';
import type { Logger } from '@spear/runtime';
import type { ConnectionIdentity } from './handshake';
import type { ReplayState, Sessions } from './sessions';
import { TokenBucket } from './token-bucket';

/** What a connection needs from its node. */
export interface NodeServices {
  nodeId: string;
  sessions: Sessions;
  router: MessageRouter;
  inbox: Inbox;
  history: GroupHistory;
  routes: RouteTable;
  arrivals: Arrivals;
  bus: Bus;
  ids: PrefetchingIdSource;
  logger: Logger;
  maxBodyBytes: number;
  rateLimit: { eventsPerSecond: number; burst: number; strikes: number };
  counters: { received(event: string): void; refused(code: string): void; stored(kind: 'send' | 'publish'): void };
}

class Refusal extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

type AckFn = (ack: Ack) => void;
const noReply: AckFn = () => undefined;

/** How one client event is validated and handled; serialized ones run in order with each other. */
interface EventSpec {
  schema: z.ZodType;
  serialize: boolean;
  handle(connection: Connection, payload: never): Promise<object>;
}

const spec = <S extends z.ZodType>(schema: S, handle: (connection: Connection, payload: z.infer<S>) => Promise<object>, serialize = false): EventSpec => ({ schema, serialize, handle });

/**
 * One accepted connection: its events (send, join, leave, publish, ack),
 * each validated, rate-limited and answered with an ack; sends and publishes
 * are serialized per connection so their order is the order of their acks.
 *
 * Idle connections are what a node holds most of, so this is kept small:
 * the instance is the socket's `data` (uid, replay buffer) and the event
 * listeners are shared by every socket (they find their connection through
 * `this.data`), so no closures are made per connection; the rate-limit
 * bucket and the send chain are made at the first event.
 */
export class Connection implements ConnectionIdentity, ReplayState {
  /** Events being handled on this node right now (drain waits for them). */
  static inFlight = 0;
  buffered: MsgEvent[] | undefined = [];
  private bucket?: TokenBucket;
  private chain?: Promise<unknown>;

  private static readonly events: Record<string, EventSpec> = {
    send: spec(sendPayload, (c, p) => c.send(p), true),
    publish: spec(publishPayload, (c, p) => c.publish(p), true),
    join: spec(joinPayload, (c, p) => c.join(p)),
    leave: spec(leavePayload, (c, p) => c.leave(p.group)),
    ack: spec(ackPayload, async (c, p) => {
      await c.node.inbox.ack(c.uid, p.ids);
      return {};
    }),
  };

  /** One listener per event name for all sockets; `this` is the socket (EventEmitter calls listeners so). */
  private static readonly listeners = Object.entries(Connection.events).map(
    ([event, eventSpec]) => [event, function (this: Socket, payload: unknown, ack?: unknown) {
      (this.data as Connection).receive(event, eventSpec, payload, ack);
    }] as const,
  );

  private static onDisconnecting(this: Socket): void {
    void (this.data as Connection).close();
  }

  constructor(
    private readonly socket: Socket,
    readonly uid: string,
    private readonly node: NodeServices,
  ) {}

  /** On the prototype: the handshake's marker, without a field per connection. */
  get identified(): true {
    return true;
  }

  /** Registers the user here, replays the inbox, then serves events. */
  async open(): Promise<void> {
    const { socket, uid, node } = this;
    socket.data = this;
    // Handlers first, before any await: a client may emit right after connect, without waiting for
    // ready (PROTOCOL.md allows it), and socket.io drops events that arrive with no handler bound.
    for (const [event, listener] of Connection.listeners) socket.on(event, listener);
    // 'disconnecting': the connection's rooms (its groups) are still readable.
    socket.on('disconnecting', Connection.onDisconnecting);
    // One round trip: this node in the user's route (first connection here) and the inbox read.
    const stored = await node.arrivals.arrive(uid, node.sessions.add(uid, socket));
    socket.emit('ready', { uid, node: node.nodeId, sessionId: socket.id });
    for (const m of stored) socket.emit('msg', m);
    const seen = new Set(stored.map((m) => m.id));
    const live = this.buffered!;
    this.buffered = undefined;
    for (const m of live) if (!seen.has(m.id)) socket.emit('msg', m);
  }

  private receive(event: string, eventSpec: EventSpec, payload: unknown, ack: unknown): void {
    const reply: AckFn = typeof ack === 'function' ? (ack as AckFn) : noReply;
    this.node.counters.received(event);
    const run = () => this.run(event, eventSpec, payload, reply);
    if (eventSpec.serialize) this.chain = (this.chain ?? Promise.resolve()).then(run);
    else void run();
  }

  private async run(event: string, eventSpec: EventSpec, payload: unknown, reply: AckFn): Promise<void> {
    Connection.inFlight++;
    try {
      const bucket = (this.bucket ??= new TokenBucket(this.node.rateLimit.eventsPerSecond, this.node.rateLimit.burst));
      if (!bucket.take()) {
        if (bucket.strikes > this.node.rateLimit.strikes) this.socket.disconnect(true);
        throw new Refusal('rate_limited', 'too many events; slow down');
      }
      const parsed = eventSpec.schema.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new Refusal('bad_request', `${issue.path.map(String).join('.') || 'payload'}: ${issue.message}`);
      }
      reply({ ok: true, ...(await eventSpec.handle(this, parsed.data as never)) });
    } catch (error) {
      const code = error instanceof Refusal ? error.code : error instanceof HistoryGoneError ? 'history_gone' : 'internal';
      if (code === 'internal') this.node.logger.warn({ event, err: String(error) }, 'event failed');
      this.node.counters.refused(code);
      reply({ ok: false, error: { code, message: error instanceof Error && code !== 'internal' ? error.message : 'internal error' } });
    } finally {
      Connection.inFlight--;
    }
  }

  private checkSize(body: unknown): void {
    if (body === undefined) throw new Refusal('bad_request', 'body: required');
    if (encodedSize(body) > this.node.maxBodyBytes) throw new Refusal('too_large', `body is larger than ${this.node.maxBodyBytes} bytes`);
  }

  private async send(p: z.infer<typeof sendPayload>): Promise<{ id: string; ts: number }> {
    this.checkSize(p.body);
    const message: MsgEvent = { id: await this.node.ids.next(), from: this.uid, to: p.to, body: p.body, ts: Date.now(), ...(p.cid ? { cid: p.cid } : {}) };
    await this.node.router.toUser(message);
    this.node.counters.stored('send');
    return { id: message.id, ts: message.ts };
  }

  private async publish(p: z.infer<typeof publishPayload>): Promise<{ id: string; ts: number }> {
    this.checkSize(p.body);
    const message = { id: await this.node.ids.next(), group: p.group, from: this.uid, body: p.body, ts: Date.now() };
    await this.node.router.toGroup(message);
    this.node.counters.stored('publish');
    return { id: message.id, ts: message.ts };
  }

  private async join(p: z.infer<typeof joinPayload>): Promise<object> {
    const { sessions, bus, history } = this.node;
    if (p.since === undefined) {
      if (sessions.joinGroup(this.socket, p.group)) await bus.joinGroup(p.group);
      return {};
    }
    // History first, then live: what was published meanwhile is caught by a second read (clients drop duplicates by id).
    const first = await history.since(p.group, p.since);
    for (const m of first) this.socket.emit('group', m);
    if (sessions.joinGroup(this.socket, p.group)) await bus.joinGroup(p.group);
    const last = first.length ? first[first.length - 1]!.id : p.since;
    for (const m of await history.since(p.group, last)) this.socket.emit('group', m);
    return {};
  }

  private async leave(group: string): Promise<object> {
    if (this.node.sessions.leaveGroup(this.socket, group)) await this.node.bus.leaveGroup(group);
    return {};
  }

  private async close(): Promise<void> {
    const { sessions, routes, bus } = this.node;
    for (const group of sessions.groupsOf(this.socket)) if (sessions.leaveGroup(this.socket, group)) await bus.leaveGroup(group).catch(() => undefined);
    if (sessions.remove(this.uid, this.socket)) await routes.offline(this.uid).catch(() => undefined);
  }
}

