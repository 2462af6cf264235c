import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Bus } from '@spear/bus';
import { HistoryGoneError, type GroupHistory, type Inbox, type MessageRouter, type RouteTable } from '@spear/delivery';
import type { PrefetchingIdSource } from '@spear/idgen-client';
import { ackPayload, encodedSize, joinPayload, leavePayload, publishPayload, sendPayload, type Ack, type MsgEvent } from '@spear/protocol';
import type { Logger } from '@spear/runtime';
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

/**
 * One accepted connection: its events (send, join, leave, publish, ack),
 * each validated, rate-limited and answered with an ack; sends and publishes
 * are serialized per connection so their order is the order of their acks.
 */
export class Connection {
  /** Events being handled on this node right now (drain waits for them). */
  static inFlight = 0;
  private readonly bucket: TokenBucket;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    private readonly uid: string,
    private readonly node: NodeServices,
  ) {
    this.bucket = new TokenBucket(node.rateLimit.eventsPerSecond, node.rateLimit.burst);
  }

  /** Registers the user here, replays the inbox, then serves events. */
  async open(): Promise<void> {
    const { socket, uid, node } = this;
    const replay = socket.data as ReplayState;
    replay.buffered = [];
    // Handlers first, before any await: a client may emit right after connect, without waiting for
    // ready (PROTOCOL.md allows it), and socket.io drops events that arrive with no handler bound.
    this.bind('send', sendPayload, (p) => this.send(p), true);
    this.bind('publish', publishPayload, (p) => this.publish(p), true);
    this.bind('join', joinPayload, (p) => this.join(p));
    this.bind('leave', leavePayload, (p) => this.leave(p.group));
    this.bind('ack', ackPayload, async (p) => {
      await node.inbox.ack(uid, p.ids);
      return {};
    });
    // 'disconnecting': the connection's rooms (its groups) are still readable.
    socket.on('disconnecting', () => void this.close());
    if (node.sessions.add(uid, socket)) await node.routes.online(uid);
    socket.emit('ready', { uid, node: node.nodeId, sessionId: socket.id });
    const stored = await node.inbox.read(uid);
    for (const m of stored) socket.emit('msg', m);
    const seen = new Set(stored.map((m) => m.id));
    const live = replay.buffered;
    replay.buffered = undefined;
    for (const m of live) if (!seen.has(m.id)) socket.emit('msg', m);
  }

  private bind<S extends z.ZodType>(event: string, schema: S, handle: (payload: z.infer<S>) => Promise<object>, serialize = false): void {
    this.socket.on(event, (payload: unknown, ack?: unknown) => {
      const reply: AckFn = typeof ack === 'function' ? (ack as AckFn) : () => undefined;
      this.node.counters.received(event);
      const run = async (): Promise<void> => {
        Connection.inFlight++;
        try {
          if (!this.bucket.take()) {
            if (this.bucket.strikes > this.node.rateLimit.strikes) this.socket.disconnect(true);
            throw new Refusal('rate_limited', 'too many events; slow down');
          }
          const parsed = schema.safeParse(payload);
          if (!parsed.success) {
            const issue = parsed.error.issues[0]!;
            throw new Refusal('bad_request', `${issue.path.map(String).join('.') || 'payload'}: ${issue.message}`);
          }
          reply({ ok: true, ...(await handle(parsed.data)) });
        } catch (error) {
          const code = error instanceof Refusal ? error.code : error instanceof HistoryGoneError ? 'history_gone' : 'internal';
          if (code === 'internal') this.node.logger.warn({ event, err: String(error) }, 'event failed');
          this.node.counters.refused(code);
          reply({ ok: false, error: { code, message: error instanceof Error && code !== 'internal' ? error.message : 'internal error' } });
        } finally {
          Connection.inFlight--;
        }
      };
      if (serialize) this.chain = this.chain.then(run);
      else void run();
    });
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

