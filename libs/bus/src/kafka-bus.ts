import type { Admin, Consumer, EachMessagePayload, Kafka, Producer, TopicMessages } from 'kafkajs';
import type { Bus, Envelope } from './bus';
import { deliver } from './deliver';
import { DirectedBatcher } from './directed-batcher';
import { encodeEnvelope } from './envelope-codec';
import { createConsumer, createKafka, createProducer } from './kafka-clients';
import { sendDirected } from './kafka-directed';
import { KafkaNames } from './kafka-names';
import type { KafkaSasl, KafkaTls } from './kafka-security';
import { KafkaSendQueue } from './kafka-send-queue';
import { KafkaSockets } from './kafka-sockets';
import { StartPosition } from './kafka-start-position';
import { KafkaTopics } from './kafka-topics';
import { errorMessage, silentLogger, type BusLogger } from './logger';
import { withTimeout } from './with-timeout';

/** Options for {@link KafkaBus}. */
export interface KafkaBusOptions {
  /** e.g. ["127.0.0.1:9092"]. */
  brokers: string[];
  /** kafkajs client id; default "spear-bus". */
  clientId?: string;
  /** Authenticate to the brokers (see KafkaSasl); absent: no SASL. */
  sasl?: KafkaSasl;
  /** TLS to the brokers (see KafkaTls); absent: plaintext. */
  tls?: KafkaTls;
  /** Namespace of every topic and consumer group; default "spear". */
  topicPrefix?: string;
  /** Bound on one group or broadcast publish, queueing and first connect included; default 5000 ms. */
  publishTimeoutMs?: number;
  /** How long publishToNodes coalesces per destination: 0 (default) = the rest of this event-loop turn; max 1 ms. */
  batchWindowMs?: number;
  /**
   * Bound on a publishToNodes promise, from the call (see Bus), queueing and
   * first connect included; default 1000 ms, above batchWindowMs.
   */
  publishWaitMs?: number;
  /** Bound on start(), consumer group join included; default 30000 ms. */
  startTimeoutMs?: number;
  logger?: BusLogger;
}

/** How long close() waits for kafkajs to disconnect (commit, leave the group) before closing its sockets. */
const CLOSE_GRACE_MS = 5_000;

/** The header naming a fanout record's group; broadcasts have none. */
const GROUP_HEADER = 'group';

/** Where a started bus keeps its receiving side. */
interface Started {
  consumer: Consumer;
  onEnvelope: (envelope: Envelope) => void;
}

/**
 * {@link Bus} over Kafka: a single-partition topic per node for directed
 * envelopes (`<prefix>.node.<nodeId>`) and one fanout topic
 * (`<prefix>.fanout`) for group envelopes and broadcasts, which every node
 * reads in its own consumer group (`<prefix>-node-<nodeId>`) and filters by
 * the groups it joined.
 *
 * - Durable, more than the interface asks: envelopes published while a node
 *   is down are delivered when it starts again with the same node id (within
 *   Kafka's log and offset retention). A node id that never ran starts at the
 *   end of its topics as measured during start(): everything published after
 *   start() resolved is delivered, nothing from before.
 * - After a crash (not close()), envelopes handled since the last offset
 *   commit (the last batch) are delivered again; close() commits.
 * - Outages: kafkajs reconnects by itself; after a broker restart a node
 *   receives again once its group coordinator has dropped the node's old
 *   member (the 10 s session timeout), publishing once the producer has
 *   reconnected.
 * - Order: one node's envelopes to one node arrive in publish order (one
 *   partition, idempotent producer, one request in flight). Directed and
 *   fanout envelopes travel on different topics: no order between the two.
 * - Publishes that arrive while a request is in flight go out together in
 *   the next one; an idle bus sends at once.
 * - Directed: the envelopes of one turn (`batchWindowMs`) for one node go
 *   out as one record on its topic (why: see kafka-directed.ts).
 * - Groups are local bookkeeping: joinGroup/leaveGroup never talk to Kafka,
 *   and every node reads every group's traffic.
 * - Publishing rejects after `publishTimeoutMs` without an acknowledgement
 *   from Kafka; a group or broadcast publish that timed out before it was
 *   handed to Kafka is dropped, one that timed out after may still be
 *   delivered. A directed publish past `publishWaitMs` rejects but is still
 *   sent (see DirectedBatcher).
 * - A node receives its own broadcasts, and its own group envelopes when it
 *   joined the group.
 * - Publish-only use: publishing works without start() (producer and admin
 *   connect on first use), for processes that send but never receive; no
 *   topic or consumer group is created for them.
 */
export class KafkaBus implements Bus {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private producer: Producer;
  private readonly topics: KafkaTopics;
  private readonly names: KafkaNames;
  private readonly publishTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly logger: BusLogger;
  private readonly sockets = new KafkaSockets();
  private readonly groups = new Set<string>();
  private readonly sendQueue = new KafkaSendQueue((topicMessages) => this.sendNow(topicMessages));
  private readonly directed: DirectedBatcher;
  /** Ends start()'s retry loops when close() comes first. */
  private readonly abort = new AbortController();
  private publisherReady: Promise<void> | null = null;
  private started: Started | null = null;
  private closed = false;

  /** Validates names and reads a TLS CA file (throwing when it cannot); connects nothing. */
  constructor(options: KafkaBusOptions) {
    this.names = new KafkaNames(options.topicPrefix ?? 'spear');
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.logger = options.logger ?? silentLogger;
    this.kafka = createKafka({
      brokers: options.brokers,
      clientId: options.clientId ?? 'spear-bus',
      security: { sasl: options.sasl, tls: options.tls },
      logger: this.logger,
      sockets: this.sockets,
      closed: () => this.closed,
    });
    this.admin = this.kafka.admin();
    this.producer = createProducer(this.kafka);
    this.topics = new KafkaTopics(this.admin);
    this.directed = new DirectedBatcher((batches) => sendDirected(this.sendQueue, this.names, batches), {
      label: 'KafkaBus',
      windowMs: options.batchWindowMs,
      waitMs: options.publishWaitMs,
    });
  }

  /**
   * Creates this node's topic and the fanout topic if needed and resolves
   * once the consumer has joined its group with its start position committed
   * (see the class comment). Rejects, and closes the bus, when that takes
   * longer than `startTimeoutMs` or the node id cannot name a topic. Once per bus.
   */
  async start(nodeId: string, onEnvelope: (envelope: Envelope) => void): Promise<void> {
    if (this.started || this.closed) throw new Error('KafkaBus: start() may be called once, before close()');
    try {
      const topics = [this.names.nodeTopic(nodeId), this.names.fanoutTopic()];
      const groupId = this.names.groupId(nodeId);
      this.started = { consumer: createConsumer(this.kafka, groupId, () => this.closed), onEnvelope };
      await withTimeout(this.startConsumer(topics, groupId), this.startTimeoutMs, `starting node ${nodeId}`);
    } catch (error) {
      await this.close();
      throw new Error(`KafkaBus: cannot start: ${errorMessage(error)}`, { cause: error });
    }
  }

  /**
   * Coalesces per node for `batchWindowMs`, then sends to each node's topic
   * in one produce request (with whatever else is queued). Settles as the Bus
   * interface states; "accepted" means Kafka acknowledged it (acks=all). A
   * node's topic is created on the first publish to it. A node id Kafka
   * cannot name a topic after rejects at once.
   */
  publishToNodes(nodeIds: readonly string[], envelope: Envelope): Promise<void> {
    try {
      // Here, not at the flush: one bad id must not fail the other envelopes of its turn.
      for (const nodeId of nodeIds) this.names.nodeTopic(nodeId);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.closed) return Promise.reject(new Error('KafkaBus: closed'));
    return this.directed.enqueue(nodeIds, envelope);
  }

  /** Sends to the fanout topic; nodes that joined `group` deliver it, the others skip it. */
  async publishToGroup(group: string, envelope: Envelope): Promise<void> {
    const message = { value: encodeEnvelope(envelope), headers: { [GROUP_HEADER]: group } };
    await this.publish([{ topic: this.names.fanoutTopic(), messages: [message] }]);
  }

  /** Sends to the fanout topic; every node delivers it. */
  async publishBroadcast(envelope: Envelope): Promise<void> {
    await this.publish([{ topic: this.names.fanoutTopic(), messages: [{ value: encodeEnvelope(envelope) }] }]);
  }

  /** Envelopes for `group` are delivered from now on. Local only; never rejects. */
  async joinGroup(group: string): Promise<void> {
    this.groups.add(group);
  }

  /** Envelopes for `group` are skipped from now on. Local only; never rejects. */
  async leaveGroup(group: string): Promise<void> {
    this.groups.delete(group);
  }

  /**
   * Stops consuming (committing what was handled and leaving the consumer
   * group, so a restart rejoins at once), rejects publishes still queued and
   * disconnects. Resolves once no connection is left open: whatever kafkajs
   * has not closed after CLOSE_GRACE_MS (e.g. a group join stuck during an
   * outage) is closed by force. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.directed.close(new Error('KafkaBus: closed'));
    this.sendQueue.rejectQueued(new Error('KafkaBus: closed'));
    const disconnected = Promise.allSettled([
      this.started?.consumer.disconnect(),
      this.producer.disconnect(),
      this.admin.disconnect(),
    ]);
    try {
      for (const result of await withTimeout(disconnected, CLOSE_GRACE_MS, 'disconnecting')) {
        if (result.status === 'rejected') {
          this.logger.warn({ err: errorMessage(result.reason) }, 'bus: kafka disconnect failed');
        }
      }
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'bus: kafka did not disconnect in time; closing its connections');
    }
    await this.sockets.closeAll();
  }

  private async startConsumer(topics: string[], groupId: string): Promise<void> {
    const { consumer } = this.started!;
    await Promise.all([this.connectedPublisher(), consumer.connect()]);
    await this.topics.ensure(topics);
    const position = await StartPosition.measure(this.admin, groupId, topics, this.abort.signal);
    // fromBeginning only matters when a committed offset is out of range (deleted by retention): skip to the end.
    await consumer.subscribe({ topics, fromBeginning: false });
    position.applyOnFirstJoin(consumer);
    await this.runUntilJoined(consumer);
    await position.committed(this.admin, this.abort.signal);
  }

  /** consumer.run() returns before the group join; resolve only once the partitions are assigned. */
  private async runUntilJoined(consumer: Consumer): Promise<void> {
    const removers: Array<() => void> = [];
    try {
      const joined = new Promise<void>((resolve, reject) => {
        removers.push(consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
        removers.push(consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error)));
      });
      await consumer.run({ eachMessage: async (payload) => this.receive(payload) });
      await joined;
    } finally {
      for (const remove of removers) remove();
    }
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.closed) return;
      this.logger.error({ err: errorMessage(payload.error), restart: payload.restart }, 'bus: kafka consumer crashed');
    });
    // A restart already under way when close() ran can still finish joining: stop it again.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.closed) void consumer.disconnect().catch(() => undefined);
    });
  }

  private receive({ topic, message }: EachMessagePayload): void {
    const started = this.started;
    if (!started || this.closed || !message.value) return;
    const group = message.headers?.[GROUP_HEADER]?.toString();
    // Header first: groups this node did not join are skipped without parsing.
    if (group !== undefined && !this.groups.has(group)) return;
    deliver(message.value.toString(), started.onEnvelope, this.logger, { bus: 'kafka', topic, offset: message.offset });
  }

  private async publish(topicMessages: TopicMessages[]): Promise<void> {
    if (this.closed) throw new Error('KafkaBus: closed');
    const queued = this.sendQueue.send(topicMessages);
    try {
      await withTimeout(queued.done, this.publishTimeoutMs, 'publish', queued.cancel);
    } catch (error) {
      throw new Error(`KafkaBus: publish failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** Called by the send queue, one request at a time, so connecting and topic creation keep publish order. */
  private async sendNow(topicMessages: TopicMessages[]): Promise<void> {
    if (this.closed) throw new Error('KafkaBus: closed');
    await this.connectedPublisher();
    await this.topics.ensure(topicMessages.map(({ topic }) => topic));
    try {
      await this.producer.sendBatch({ topicMessages, acks: -1 });
    } catch (error) {
      if (isOutOfOrderSequence(error)) this.replaceProducer(error);
      throw error;
    }
  }

  /**
   * After a partition's leader died, kafkajs's idempotent producer can keep
   * numbering its batches from where the dead leader was and the new leader
   * refuses every one (OUT_OF_ORDER_SEQUENCE_NUMBER) for good: kafkajs never
   * starts a new sequence. A new producer gets a new producer id and starts
   * at zero; this publish failed (at-most-once), the next ones go through.
   */
  private replaceProducer(error: unknown): void {
    this.logger.warn({ err: errorMessage(error) }, 'bus: kafka producer out of sequence after a leader change; replaced by a new one');
    const broken = this.producer;
    this.producer = createProducer(this.kafka);
    this.publisherReady = null;
    void broken.disconnect().catch(() => undefined);
  }

  /** Producer and admin, connected on first use; a failed connect is tried again by the next caller. */
  private connectedPublisher(): Promise<void> {
    this.publisherReady ??= Promise.all([this.admin.connect(), this.producer.connect()]).then(
      () => undefined,
      (error: unknown) => {
        this.publisherReady = null;
        throw error;
      },
    );
    return this.publisherReady;
  }
}

/** kafkajs's error for a batch whose sequence number the partition leader did not expect. */
function isOutOfOrderSequence(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === 'OUT_OF_ORDER_SEQUENCE_NUMBER' || /out of order sequence number/i.test(errorMessage(error));
}
