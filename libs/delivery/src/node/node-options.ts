import type { Bus, Envelope } from '@spear/bus';
import type { ErrorCode } from '@spear/protocol';
import type { GroupHooks } from '../groups/group-hooks';
import type { NamespaceRules } from '../groups/group-policy';
import type { ClientEvent, RateLimit } from './client-events';
import type { GroupLimits } from './group-rooms';
import type { HoleRepairOptions } from './hole-repair';
import type { RpcRoutes } from './rpc-routes';
import type { ClusterLocks, CoreLogger, IdSource } from './cluster';
import type { DeliveryStore } from './delivery-store';
import type { Transport } from './transport';

export interface NodeCoreOptions {
  nodeId: string;
  /** What the node's message path is told (see MessagePathOptions). */
  delivery: {
    /** Largest encoded body of a send or publish (too_large beyond). */
    maxBodyBytes: number;
    /** Sends also go to their sender's log and other connections. */
    senderCopies: boolean;
    /** Bytes of 1:1 bodies this node may store per second (`rate_limited` past it). */
    storeBytesPerSecond?: number;
    /** Messages one sender may store per second for offline recipients (`rate_limited` past it). */
    offlinePerSender?: { perSecond: number; burst: number };
    /** A forward the bus refused is published once more this long after (MessagePathOptions; default 1000 ms). */
    forwardRetryMs?: number;
  };
  /** Group namespaces and their policies (the profile's `groups.namespaces`); none: every group is open. */
  namespaces?: Readonly<Record<string, NamespaceRules>>;
  /** Groups per connection and history replays at once (DEFAULT_GROUP_LIMITS when absent). */
  groupLimits?: GroupLimits;
  /** When a hole in a connection's seqs is taken for a lost message, and filled from the log (DEFAULT_HOLE_REPAIR when absent). */
  holeRepair?: HoleRepairOptions;
  /** Per-connection event budget; past `strikes` refusals in a row the connection is closed. */
  rateLimit: RateLimit;
  /** How often this node re-arms its route entries (a third of their TTL). */
  routeRefreshMs: number;
  migration: {
    /** How long a migrated connection may stay before it is closed. */
    graceMs: number;
    /** Rebalance: at most this many migrate events per second. */
    perSecond: number;
    /** Hint to clients: wait this long (plus their jitter) before re-ticketing. */
    retryAfterMs: number;
    /** Shutdown: how long close() waits for clients to leave and events to finish. */
    drainMs: number;
  };
}

/** What the core counts, for the node's metrics and reports (all optional to implement). */
export interface CoreCounters {
  received(event: ClientEvent): void;
  /** `app`: a code the app's backend chose. */
  refused(code: ErrorCode | 'app'): void;
  stored(kind: 'send' | 'publish'): void;
  consumed(envelope: Envelope): void;
  /** Events handed to local connections (one per connection reached). */
  emitted(connections: number): void;
  /** A connection's hole was repaired from the log: `messages` handed (0: its device had acked them elsewhere). */
  repaired(messages: number): void;
}

export interface NodeCorePorts<C> {
  transport: Transport<C>;
  store: DeliveryStore;
  bus: Bus;
  ids: IdSource;
  locks: ClusterLocks;
  logger: CoreLogger;
  counters?: Partial<CoreCounters>;
  /** The app's join and publish hooks, for groups of `hook` namespaces (none: such groups refuse). */
  hooks?: GroupHooks;
  /** Where `rpc` calls go (none: every method is `not_found`). */
  routes?: RpcRoutes;
}

/** What the connect hook answered for an accepted connection (PROTOCOL.md v1.1). */
export interface Admitted {
  /** Groups the connection is put in before `ready`, besides its user's memberships. */
  groups: readonly string[];
  /** Carried into the connection's later hook and rpc calls. */
  meta: unknown;
}
