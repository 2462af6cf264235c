import { Counter, Gauge, Histogram } from 'prom-client';
import { createBus } from '@spear/bus';
import { parseSpearNodeEntries, RedisKeys, zkPaths } from '@spear/catalog';
import { durabilityProblem, GroupHistory, GroupPresence, GroupTraffic, logOptionsOf, Memberships, NodeCore, RedisDeliveryStore, RouteTable, undeliveredChecksOf, UserLog, type ClusterLocks } from '@spear/delivery';
import { PrefetchingIdSource } from '@spear/idgen-client';
import type { Registry } from '@spear/registry';
import type { ServiceContext } from '@spear/runtime';
import { shipNodeReports } from '@spear/stat-client';
import { NonceStore, ticketKeys } from '@spear/tickets';
import { bindToCore } from '../adapter/bind-events';
import { ProxyTrust } from '../adapter/client-address';
import { ticketHandshake } from '../adapter/handshake';
import { guardHandshakes } from '../adapter/handshake-guard';
import type { SpearServer, SpearSocket } from '../adapter/socket-data';
import { SocketTransport } from '../adapter/socket-transport';
import { BackendCaller } from '../backends/backend-caller';
import { HookClient } from '../backends/hook-client';
import { RpcRouter } from '../backends/rpc-router';
import { UndeliveredPoller } from '../backends/undelivered-poller';
import { clientBudget, openFilesLimit } from './connection-limit';
import { registerHealthGauge } from './health-gauge';
import { NodeMonitor } from './node-monitor';
import { registerRedisInfoGauges } from './redis-info-gauges';
import { scriptForwarding } from './script-forwarding';

/** A running spear node: what main.ts closes on SIGTERM. */
export interface SpearNode {
  core: NodeCore<SpearSocket>;
  close(): Promise<void>;
}

/**
 * Wires one spear node: the Redis stores, the bus, idgen, the node core on
 * the socket.io server (ticket handshake, events), the registry watch of live
 * nodes, metrics and stat reports. `instance`: this process's host:port,
 * naming it in stat's reports.
 */
export async function startSpearNode(io: SpearServer, ctx: ServiceContext<'spear'>, nodeId: string, instance: string): Promise<SpearNode> {
  const { config, redis, logger } = ctx;
  const { spear, delivery, secrets } = config;
  const keys = new RedisKeys(config.redis.keyPrefix);
  const monitor = new NodeMonitor({
    connections: () => io.engine.clientsCount,
    users: () => core.userCount,
    groups: () => core.groupCount,
  });
  const bus = monitor.countingBus(createBus({ bus: config.bus, redis: { ...config.redis, keyPrefix: keys.channelPrefix }, kafka: config.kafka, logger, batchWindowMs: spear.batchWindowMs }));
  const refusal = await durabilityProblem(redis, delivery.durability);
  if (refusal) throw new Error(refusal);
  const undelivered = undeliveredChecksOf(redis, keys, delivery);
  const store = new RedisDeliveryStore(
    redis,
    new UserLog(redis, keys, logOptionsOf(delivery), scriptForwarding(config, keys, nodeId)),
    new GroupHistory(redis, keys, delivery.groupHistory.cap, delivery.groupHistory.ttlSeconds),
    delivery.durability,
    new RouteTable(redis, keys, nodeId, spear.routeTtlSeconds),
    { id: nodeId, routeTtlSeconds: spear.routeTtlSeconds },
    new Memberships(redis, keys),
    new GroupPresence(redis, keys, nodeId, spear.routeTtlSeconds),
    { traffic: new GroupTraffic(redis, keys), undelivered },
  );
  const ids = new PrefetchingIdSource(ctx.rpc, { batch: 4096 });
  void ids.warm().catch((e: unknown) => logger.warn({ err: String(e) }, 'idgen not reachable yet; ids will be fetched on first use'));

  const registers = [ctx.metrics.registry];
  const received = new Counter({ name: 'spear_events_received_total', help: 'Client events received', labelNames: ['event'], registers });
  const refused = new Counter({ name: 'spear_events_refused_total', help: 'Client events refused, by code', labelNames: ['code'], registers });
  const consumed = new Counter({ name: 'spear_envelopes_received_total', help: 'Envelopes received from the bus', labelNames: ['kind'], registers });
  new Gauge({ name: 'spear_users', help: 'Distinct users connected to this node', registers, collect() { this.set(core.userCount); } });
  // What stat's node reports show, for Prometheus too (deploy/monitoring): messages in and out, log writes, bus lag.
  const stored = new Counter({ name: 'spear_messages_stored_total', help: 'Messages stored by this node, by kind (send: a 1:1 log write; publish: a group or broadcast)', labelNames: ['kind'], registers });
  const emitted = new Counter({ name: 'spear_messages_emitted_total', help: 'Events handed to local connections (one per connection reached)', registers });
  const repairs = new Counter({ name: 'spear_hole_repairs_total', help: 'Connections whose seqs showed a hole that stayed open (a 1:1 message lost on the bus), filled from the log', registers });
  const repaired = new Counter({ name: 'spear_messages_repaired_total', help: '1:1 messages handed to a live connection from the log because the bus lost them', registers });
  const busLag = new Histogram({ name: 'spear_bus_lag_seconds', help: "An envelope's age when this node consumed it from the bus (now minus its ts: store, publish and bus), by kind", labelNames: ['kind'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
  // Label children per kind, made once: these run for every message, label hashing need not.
  const storedOf = { send: stored.labels({ kind: 'send' }), publish: stored.labels({ kind: 'publish' }) };
  const lagOf = new Map<string, { observe(seconds: number): void }>();
  registerHealthGauge(ctx.metrics.registry, () => ctx.health.run());
  let redisInfoWarnedAt = 0;
  registerRedisInfoGauges(ctx.metrics.registry, redis, (server, error) => {
    // Every scrape would say it again: once a minute is enough to point at the ACL or the server.
    if (Date.now() - redisInfoWarnedAt < 60_000) return;
    redisInfoWarnedAt = Date.now();
    logger.warn({ redis: server, err: error.message }, 'no Redis INFO for the spear_redis_* gauges');
  });

  const backends = new BackendCaller(ctx.rpc, secrets.hookSecret);
  const hooks = new HookClient(spear.hooks, backends, { maxBodyBytes: delivery.maxBodyBytes, maxGroupsPerConnection: config.groups.maxPerConnection, logger, registry: ctx.metrics.registry });
  const core: NodeCore<SpearSocket> = new NodeCore(
    {
      nodeId,
      delivery: {
        maxBodyBytes: delivery.maxBodyBytes,
        senderCopies: delivery.senderCopies,
        storeBytesPerSecond: delivery.quotas.storeBytesPerSecond,
        offlinePerSender: delivery.quotas.offlinePerSender,
      },
      namespaces: config.groups.namespaces,
      groupLimits: { maxGroupsPerConnection: config.groups.maxPerConnection, replaysAtOnce: config.groups.replaysAtOnce, slowReaderMs: config.groups.slowReaderMs },
      rateLimit: spear.rateLimit,
      routeRefreshMs: (spear.routeTtlSeconds * 1000) / 3,
      migration: spear.migration,
    },
    {
      transport: new SocketTransport(io),
      store,
      bus,
      ids,
      locks: registryLocks(ctx.registry, nodeId),
      logger,
      hooks,
      routes: new RpcRouter(spear.routes, backends, { maxBodyBytes: delivery.maxBodyBytes, logger, registry: ctx.metrics.registry }),
      counters: {
        received: (event) => received.inc({ event }),
        refused: (code) => refused.inc({ code }),
        stored: (kind) => {
          storedOf[kind].inc();
          monitor.stored(kind);
        },
        consumed: (envelope) => {
          consumed.inc({ kind: envelope.t });
          let lag = lagOf.get(envelope.t);
          if (!lag) lagOf.set(envelope.t, (lag = busLag.labels({ kind: envelope.t })));
          lag.observe(Math.max(0, Date.now() - envelope.p.ts) / 1000);
          monitor.consumed(envelope);
        },
        emitted: (n) => {
          emitted.inc(n);
          monitor.emitted(n);
        },
        repaired: (n) => {
          repairs.inc();
          repaired.inc(n);
        },
      },
    },
  );
  await core.start();

  const openFiles = openFilesLimit();
  const budget = clientBudget({ connections: spear.maxConnections, pending: spear.handshake.maxPending }, openFiles);
  const maxConnections = budget.connections;
  if (budget.connections < spear.maxConnections || budget.pending < spear.handshake.maxPending) {
    logger.warn({ configured: { maxConnections: spear.maxConnections, maxPending: spear.handshake.maxPending }, openFiles, maxConnections, maxPending: budget.pending }, 'maxConnections and handshake.maxPending lowered to fit the open-files limit');
  }
  // Connections that show no ticket have their own budget and deadline: they never hold a user's slot.
  const handshakes = guardHandshakes(io, {
    limits: { timeoutMs: spear.handshake.timeoutMs, maxPending: budget.pending, maxPendingPerIp: Math.min(budget.pending, spear.handshake.maxPendingPerIp) },
    trust: new ProxyTrust(spear.trustProxy),
    registry: ctx.metrics.registry,
  });
  const { ticketSecret, ticketSecretPrevious, ticketSecretPreviousUntil } = secrets;
  io.use(
    ticketHandshake({
      keys: ticketKeys(ticketSecret, ticketSecretPrevious, ticketSecretPreviousUntil),
      nodeId,
      nonces: new NonceStore(redis, keys),
      accepting: () => core.accepting,
      full: () => handshakes.ticketed >= maxConnections,
      admit: (info) => hooks.connect(info),
      guard: handshakes,
    }),
  );
  bindToCore(io, core, (info) => hooks.disconnected(info));
  // Any node may fire a due check: one whose storing node died is fired by another.
  const leaseMs = Math.max(10_000, 2 * (spear.hooks.undelivered?.timeoutMs ?? 0));
  const poller = undelivered && new UndeliveredPoller(undelivered, hooks, { pollMs: 1000, batch: 200, leaseMs, maxBatches: 25, maxAgeMs: 86_400_000 }, logger);
  poller?.start();
  // Alive: every registered node. Ring: those ticket can send users to (parsed as ticket parses them).
  const stopNodeWatch = ctx.registry.watchChildren(zkPaths.spearNodes, (entries) =>
    core.nodesChanged(
      entries.map((e) => e.name),
      parseSpearNodeEntries(entries),
    ),
  );

  const reports = shipNodeReports({
    rpc: ctx.rpc,
    app: 'spear',
    instance,
    node: nodeId,
    intervalMs: config.monitor.reportIntervalMs,
    capacity: config.monitor.capacity,
    logger,
    collect: (intervalMs) => monitor.collect(intervalMs),
  });

  return {
    core,
    /** Drains through the core (clients told to migrate, bounded wait), then stops reporting. */
    async close() {
      stopNodeWatch();
      poller?.stop();
      await core.close();
      io.local.disconnectSockets(true); // whoever was still handshaking
      handshakes.stop();
      reports.stop();
      monitor.stop();
      store.close();
    },
  };
}

/** The core's cluster locks as ZooKeeper leases of one number (one holder; a dead holder's session frees it). */
function registryLocks(registry: Registry, nodeId: string): ClusterLocks {
  return {
    async tryPurgeLock(deadNodeId) {
      try {
        const lease = await registry.lease(zkPaths.purgeLock(deadNodeId), { min: 0, max: 0 }, { by: nodeId });
        return () => lease.release();
      } catch {
        return undefined; // another node holds it
      }
    },
  };
}
