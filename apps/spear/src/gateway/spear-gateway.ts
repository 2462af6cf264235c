import { Counter, Gauge } from 'prom-client';
import type { Server } from 'socket.io';
import { createBus, type Bus } from '@spear/bus';
import { Arrivals, GroupHistory, Inbox, MessageRouter, RouteTable } from '@spear/delivery';
import { PrefetchingIdSource } from '@spear/idgen-client';
import type { ServiceContext } from '@spear/runtime';
import { shipNodeReports, type Shipper } from '@spear/stat-client';
import { NonceStore, ticketKeys } from '@spear/tickets';
import { Connection, type NodeServices } from './connection';
import { connectionLimit, openFilesLimit } from './connection-limit';
import { ticketHandshake, type ConnectionIdentity } from './handshake';
import { Sessions } from './sessions';
import { NodeMonitor } from '../cluster/node-monitor';
import { Rebalancer } from '../cluster/rebalancer';

/**
 * A spear node's gateway: the ticket handshake, sessions, the durable
 * delivery path (inbox, group history, route table) and the bus to the
 * other nodes, on the node's socket.io server.
 */
export class SpearGateway {
  private draining = false;
  private refreshTimer?: NodeJS.Timeout;
  private rebalancer?: Rebalancer;
  private stopNodeWatch?: () => void;
  private reports?: Shipper;
  readonly sessions: Sessions;
  private readonly bus: Bus;
  private readonly monitor: NodeMonitor;

  private constructor(
    private readonly io: Server,
    private readonly ctx: ServiceContext<'spear'>,
    private readonly nodeId: string,
  ) {
    const sessions = (this.sessions = new Sessions(io));
    const { config } = ctx;
    this.monitor = new NodeMonitor({
      connections: () => io.engine.clientsCount,
      users: () => sessions.userCount,
      groups: () => sessions.groupCount,
      emitted: () => sessions.emitted,
    });
    this.bus = this.monitor.countingBus(createBus({ bus: config.bus, redis: { url: config.redis.url }, kafka: config.kafka, logger: ctx.logger }));
  }

  /** `instance`: this process's host:port, naming it in stat's reports. */
  static async start(io: Server, ctx: ServiceContext<'spear'>, nodeId: string, instance: string): Promise<SpearGateway> {
    const gateway = new SpearGateway(io, ctx, nodeId);
    await gateway.wire();
    const { monitor } = ctx.config;
    gateway.reports = shipNodeReports({
      rpc: ctx.rpc,
      app: 'spear',
      instance,
      node: nodeId,
      intervalMs: monitor.reportIntervalMs,
      capacity: monitor.capacity,
      logger: ctx.logger,
      collect: (intervalMs) => gateway.monitor.collect(intervalMs),
    });
    return gateway;
  }

  private async wire(): Promise<void> {
    const { ctx, io, nodeId, sessions, bus, monitor } = this;
    const { spear, secrets, delivery } = ctx.config;
    const registers = [ctx.metrics.registry];
    const received = new Counter({ name: 'spear_events_received_total', help: 'Client events received', labelNames: ['event'], registers });
    const refused = new Counter({ name: 'spear_events_refused_total', help: 'Client events refused, by code', labelNames: ['code'], registers });
    const delivered = new Counter({ name: 'spear_envelopes_received_total', help: 'Envelopes received from the bus', labelNames: ['kind'], registers });
    new Gauge({ name: 'spear_users', help: 'Distinct users connected to this node', registers, collect() { this.set(sessions.userCount); } });

    const routes = new RouteTable(ctx.redis, nodeId, spear.routeTtlSeconds);
    const inbox = new Inbox(ctx.redis, delivery.inbox.cap, delivery.inbox.ttlSeconds);
    const history = new GroupHistory(ctx.redis, delivery.groupHistory.cap, delivery.groupHistory.ttlSeconds);
    const ids = new PrefetchingIdSource(ctx.rpc, { batch: 4096 });
    void ids.warm().catch((e: unknown) => ctx.logger.warn({ err: String(e) }, 'idgen not reachable yet; ids will be fetched on first use'));
    const router = new MessageRouter(inbox, history, bus, { nodeId, deliver: (e) => sessions.deliver(e) }, spear.batchWindowMs);
    await bus.start(
      nodeId,
      (envelope) => {
        delivered.inc({ kind: envelope.t });
        monitor.consumed(envelope);
        sessions.deliver(envelope);
      },
      // The bus may have dropped envelopes while it was reconnecting: what matters is in the inboxes.
      () => void this.replayInboxes(inbox).catch((e: unknown) => ctx.logger.warn({ err: String(e) }, 'inbox replay after a bus gap failed')),
    );

    const services: NodeServices = {
      nodeId, sessions, router, inbox, history, routes, bus, ids, logger: ctx.logger,
      arrivals: new Arrivals(ctx.redis, nodeId, spear.routeTtlSeconds),
      maxBodyBytes: delivery.maxBodyBytes,
      rateLimit: spear.rateLimit,
      counters: { received: (event) => received.inc({ event }), refused: (code) => refused.inc({ code }), stored: (kind) => monitor.stored(kind) },
    };
    const openFiles = openFilesLimit();
    const maxConnections = connectionLimit(spear.maxConnections, openFiles);
    if (maxConnections < spear.maxConnections) ctx.logger.warn({ configured: spear.maxConnections, openFiles, maxConnections }, 'maxConnections lowered to fit the open-files limit');
    const { ticketSecret, ticketSecretPrevious, ticketSecretPreviousUntil } = secrets;
    io.use(
      ticketHandshake({
        keys: ticketKeys(ticketSecret, ticketSecretPrevious, ticketSecretPreviousUntil),
        nodeId,
        nonces: new NonceStore(ctx.redis),
        draining: () => this.draining,
        full: () => io.engine.clientsCount > maxConnections,
      }),
    );
    io.on('connection', (socket) => {
      const { uid } = socket.data as ConnectionIdentity;
      new Connection(socket, uid, services).open().catch((error: unknown) => {
        ctx.logger.warn({ uid, err: String(error) }, 'connection setup failed; closing it');
        socket.disconnect(true);
      });
    });

    // Keep this node's route entries alive; purge those of nodes that left the cluster.
    this.refreshTimer = setInterval(() => void routes.refresh(sessions.uids()).catch(() => undefined), (spear.routeTtlSeconds * 1000) / 3);
    this.refreshTimer.unref();
    let known = new Set<string>();
    this.rebalancer = new Rebalancer(io, nodeId, spear.migration, ctx.logger);
    this.stopNodeWatch = ctx.registry.watchChildren<{ weight?: unknown }>('/nodes/spear', (entries) => {
      const live = new Set(entries.map((e) => e.name));
      for (const gone of known) if (!live.has(gone) && gone !== nodeId) void this.purge(gone, routes);
      known = live;
      this.rebalancer?.onNodes(entries.map((e) => ({ id: e.name, weight: Number(e.data?.weight) > 0 ? Number(e.data.weight) : 1 })));
    });
  }

  /**
   * One survivor (whoever takes the ZooKeeper lock first) removes a departed
   * node's route entries; its users' inboxes are untouched.
   */
  private async purge(deadNodeId: string, routes: RouteTable): Promise<void> {
    const { registry, logger } = this.ctx;
    let lock;
    try {
      lock = await registry.lease(`/locks/purge-${deadNodeId}`, { min: 0, max: 0 }, { by: this.nodeId });
    } catch {
      return; // another survivor holds it
    }
    try {
      const users = await routes.purgeNode(deadNodeId);
      logger.info({ node: deadNodeId, users }, 'purged the routes of a departed node');
    } finally {
      await lock.release();
    }
  }

  /**
   * Hands every local user its stored messages again (clients drop the ids
   * they already have): after a bus gap, a message stored and forwarded
   * while the bus was down would otherwise wait for the user's next connection.
   */
  private async replayInboxes(inbox: Inbox): Promise<void> {
    let users = 0;
    for (const uid of [...this.sessions.uids()]) {
      for (const message of await inbox.read(uid)) this.sessions.deliver({ t: 'msg', p: message });
      users++;
    }
    this.ctx.logger.info({ users }, 'inboxes replayed after a bus gap');
  }

  /** Refuses new connections and tells every client to reconnect elsewhere. */
  drain(reason: string, retryAfterMs = 1000): void {
    this.draining = true;
    this.io.local.emit('migrate', { reason, retryAfterMs });
  }

  /**
   * Drain: new handshakes are refused, every client is told to migrate, and
   * the node waits (bounded) for clients to leave and in-flight sends to
   * finish before closing what is left.
   */
  async close(): Promise<void> {
    clearInterval(this.refreshTimer);
    this.stopNodeWatch?.();
    this.rebalancer?.stop();
    const { drainMs, retryAfterMs } = this.ctx.config.spear.migration;
    this.drain('shutdown', retryAfterMs);
    const deadline = Date.now() + drainMs;
    while (Date.now() < deadline && (this.io.engine.clientsCount > 0 || Connection.inFlight > 0)) await new Promise((r) => setTimeout(r, 50));
    this.io.local.disconnectSockets(true);
    this.reports?.stop();
    this.monitor.stop();
    await this.bus.close();
  }
}
