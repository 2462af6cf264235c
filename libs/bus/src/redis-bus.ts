import type { Bus, Envelope } from './bus';
import { DirectedBatcher, type DirectedBatch, type DirectedSend } from './directed-batcher';
import { encodeEnvelope } from './envelope-codec';
import { errorMessage, silentLogger, type BusLogger } from './logger';
import { RedisChannels } from './redis-channels';
import { shardedPipeline, type RedisClient } from './redis-client';
import { closeConnection, connectExplained, createPublisher, createSubscriber } from './redis-connections';
import { classicPubSub, shardedPubSub, type PubSubMode } from './redis-pubsub-mode';
import { loggableRedisUrl, redisConnectionOptions, type RedisConnectionOptions, type RedisEndpoint } from './redis-security';
import { RedisSubscriptions } from './redis-subscriptions';

/** Options for {@link RedisBus}: where Redis is and who the bus is there (url, username, password, tls), and how it publishes. */
export interface RedisBusOptions extends RedisEndpoint {
  /** Namespace of every channel; default "spear". */
  keyPrefix?: string;
  /**
   * SSUBSCRIBE/SPUBLISH (Redis 7+, default) or classic SUBSCRIBE/PUBLISH for
   * older servers. All nodes of a cluster must use the same mode: the two
   * never see each other's messages.
   */
  pubsub?: 'sharded' | 'classic';
  /** Bound on a publish (and a group (un)subscribe); default 2000 ms. */
  commandTimeoutMs?: number;
  /** How long publishToNodes coalesces per destination: 0 (default) = the rest of this event-loop turn; max 1 ms. */
  batchWindowMs?: number;
  /** Bound on a publishToNodes promise, from the call (see Bus); default 1000 ms, above batchWindowMs. */
  publishWaitMs?: number;
  logger?: BusLogger;
}

/**
 * How long a node's directed envelopes may wait, beyond their window, for the
 * answer to the publish before them (DirectedBatcher's holdWhileSendingMs).
 * Why: Redis pays a socket read per publish it receives and a write per
 * message it forwards, ~20 times what the publish itself costs inside a
 * batch (docs/BENCHMARKS.md, "Redis per batch"), and the receiving node
 * parses each one; a busy node's windows, gathered while the one before is
 * in flight, make fewer and larger publishes. An idle node publishes at once.
 */
const PUBLISH_HOLD_MS = 1;

/**
 * {@link Bus} over Redis pub/sub with a channel per node, one per group and
 * one for broadcasts, on two connections so publishes never wait behind
 * subscription traffic (and RESP2 servers, where a subscribed connection
 * cannot publish, work too).
 *
 * - Directed: the envelopes of one turn (`batchWindowMs`) for one node go
 *   out as one message on its channel; every node's message of that turn
 *   in one pipeline, so one round trip. While a publish is unanswered, the
 *   turns after it gather into the next one (at most 1 ms more). Redis's pub/sub cost is per message
 *   (fan-out to subscribers, one event and one parse on the receiver), so
 *   fewer, larger messages are what makes a busy node cheap.
 * - Groups: this node subscribes to a group's channel only between
 *   joinGroup and leaveGroup; envelopes still in flight for a group it has
 *   left are dropped locally, so none arrives after leaveGroup resolves.
 * - Order: one publisher connection, so one node's envelopes to one node
 *   arrive in publish order.
 * - Outages: publishing while Redis is unreachable rejects at once (at the
 *   latest after `commandTimeoutMs`, or `publishWaitMs` for directed
 *   publishes); nothing is queued or resent later.
 *   Subscriptions (own channel, broadcast, joined groups) are restored by
 *   the bus after every reconnect; envelopes published meanwhile are lost
 *   (at-most-once, as the interface allows).
 * - A node receives its own broadcasts, and its own group envelopes when it
 *   joined the group.
 * - Publish-only use: publishing works without start() (the publisher
 *   connects on first use), for processes that send but never receive.
 */
export class RedisBus implements Bus {
  private readonly channels: RedisChannels;
  private readonly mode: PubSubMode;
  private readonly timeoutMs: number;
  private readonly logger: BusLogger;
  private readonly connection: RedisConnectionOptions;
  private readonly subscriptions: RedisSubscriptions;
  private readonly directed: DirectedBatcher;
  private started = false;
  private publisher: RedisClient | null = null;
  private publisherReady: Promise<RedisClient> | null = null;
  private closed = false;

  constructor(private readonly options: RedisBusOptions) {
    this.channels = new RedisChannels(options.keyPrefix ?? 'spear');
    // A cluster forwards classic pub/sub to every shard (what sharded pub/sub exists to avoid), and ioredis resubscribes only sharded channels per slot.
    if (options.cluster && options.pubsub === 'classic') throw new Error('RedisBus: a Redis Cluster needs sharded pub/sub (pubsub: "sharded")');
    this.mode = options.pubsub === 'classic' ? classicPubSub : shardedPubSub;
    this.timeoutMs = options.commandTimeoutMs ?? 2_000;
    this.logger = options.logger ?? silentLogger;
    // Now, not at the first connect: a username without password or an unreadable CA file stops a service at boot.
    this.connection = redisConnectionOptions(options);
    this.subscriptions = new RedisSubscriptions(this.channels, this.mode, this.logger);
    this.directed = new DirectedBatcher((batches) => this.sendDirected(batches), {
      label: 'RedisBus',
      windowMs: options.batchWindowMs,
      waitMs: options.publishWaitMs,
      holdWhileSendingMs: PUBLISH_HOLD_MS,
    });
  }

  /**
   * Connects both connections and subscribes to this node's channel, the
   * broadcast channel and any groups joined before; resolves once Redis
   * confirmed those subscriptions. Rejects when Redis is unreachable (the
   * bus is then closed). Once per bus.
   */
  async start(nodeId: string, onEnvelope: (envelope: Envelope) => void, onGap?: () => void): Promise<void> {
    if (this.started || this.closed) throw new Error('RedisBus: start() may be called once, before close()');
    this.started = true;
    const subscriber = createSubscriber(this.options, this.connection, this.timeoutMs, this.logger);
    this.subscriptions.attach(nodeId, subscriber, onEnvelope, onGap);
    try {
      await Promise.all([this.connectedPublisher(), connectExplained(subscriber)]);
      await this.subscriptions.subscribe();
    } catch (error) {
      await this.close();
      // The publisher's failure names the url already: say it once.
      const reason = error instanceof PublisherUnreachable ? error.reason : errorMessage(error);
      throw new Error(`RedisBus: cannot start on ${loggableRedisUrl(this.options.url)}: ${reason}`, { cause: error });
    }
  }

  /**
   * Coalesces per node for `batchWindowMs`, then publishes to each node's
   * channel, all nodes in one pipeline. Settles as the Bus interface states;
   * "accepted" means Redis answered the publish, whether or not the node was
   * listening.
   */
  publishToNodes(nodeIds: readonly string[], envelope: Envelope): Promise<void> {
    if (this.closed) return Promise.reject(new Error('RedisBus: closed'));
    return this.directed.enqueue(nodeIds, envelope);
  }

  /** Publishes to the group's channel, heard by the nodes that joined it. */
  async publishToGroup(group: string, envelope: Envelope): Promise<void> {
    await this.publishOne(await this.connectedPublisher(), this.channels.group(group), encodeEnvelope(envelope));
  }

  /** Publishes to the broadcast channel, heard by every started node. */
  async publishBroadcast(envelope: Envelope): Promise<void> {
    await this.publishOne(await this.connectedPublisher(), this.channels.broadcast(), encodeEnvelope(envelope));
  }

  /**
   * Records the membership and subscribes to the group's channel; resolves
   * once Redis confirmed it. While Redis is unreachable it resolves without
   * the subscription, which is then made on reconnect (nothing could have
   * been published to the group meanwhile). May be called before start().
   */
  joinGroup(group: string): Promise<void> {
    return this.subscriptions.join(group);
  }

  /**
   * Forgets the membership (envelopes for the group are dropped from now on)
   * and unsubscribes from its channel. Same outage behaviour as joinGroup.
   */
  leaveGroup(group: string): Promise<void> {
    return this.subscriptions.leave(group);
  }

  /** Closes both connections; pending publishes reject. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.directed.close(new Error('RedisBus: closed'));
    const { publisher } = this;
    await Promise.all([publisher ? closeConnection(publisher) : undefined, this.subscriptions.close()]);
  }

  /**
   * The publisher, connected on first use. Later calls return it whatever its
   * state: while Redis is away its commands reject at once (no offline queue).
   */
  private connectedPublisher(): Promise<RedisClient> {
    if (this.closed) return Promise.reject(new Error('RedisBus: closed'));
    this.publisherReady ??= this.connectPublisher();
    return this.publisherReady;
  }

  private async connectPublisher(): Promise<RedisClient> {
    const publisher = createPublisher(this.options, this.connection, this.timeoutMs, this.logger);
    this.publisher = publisher;
    try {
      await connectExplained(publisher);
      return publisher;
    } catch (error) {
      // The next publish starts over with a fresh connection.
      this.publisherReady = null;
      this.publisher = null;
      await closeConnection(publisher);
      throw new PublisherUnreachable(loggableRedisUrl(this.options.url), errorMessage(error), error);
    }
  }

  private sendDirected(batches: readonly DirectedBatch[]): DirectedSend {
    return { results: this.publishDirected(batches) };
  }

  /** One pipeline, in batch order, so per-node order holds across windows too (one connection per shard). */
  private async publishDirected(batches: readonly DirectedBatch[]): Promise<Array<Error | null>> {
    const publisher = await this.connectedPublisher();
    const only = batches.length === 1 && batches[0]!.messages.length === 1 ? batches[0]! : null;
    if (only) {
      // The common case of a quiet node: a plain command skips the pipeline's bookkeeping.
      await this.publishOne(publisher, this.channels.node(only.nodeId), only.messages[0]!);
      return [null];
    }
    // On a cluster the nodes' channels live on different shards: a sharded pipeline (per-shard writes, order kept per shard, so per node).
    const pipeline = shardedPipeline(publisher);
    for (const { nodeId, messages } of batches) {
      const channel = this.channels.node(nodeId);
      for (const message of messages) this.mode.queuePublish(pipeline, channel, message);
    }
    const results = await pipeline.exec().catch((error: unknown) => this.publishFailed(error));
    let next = 0;
    return batches.map(({ messages }) => {
      let failed: Error | null = null;
      for (let i = 0; i < messages.length; i++) {
        const error = results?.[next++]?.[0];
        if (error && !failed) failed = new Error(`RedisBus: publish failed: ${errorMessage(error)}`, { cause: error });
      }
      return failed;
    });
  }

  private async publishOne(publisher: RedisClient, channel: string, message: string): Promise<void> {
    await this.mode.publish(publisher, channel, message).catch((error: unknown) => this.publishFailed(error));
  }

  private publishFailed(error: unknown): never {
    throw new Error(`RedisBus: publish failed: ${errorMessage(error)}`, { cause: error });
  }
}

/** The publisher could not connect: the message names the url (without credentials) and the reason. */
class PublisherUnreachable extends Error {
  constructor(
    url: string,
    readonly reason: string,
    cause: unknown,
  ) {
    super(`RedisBus: cannot connect to ${url}: ${reason}`, { cause });
  }
}
