import type { Admin, Consumer, EachMessagePayload, Kafka, Producer, TopicMessages } from 'kafkajs';
import type { Envelope } from './bus';
import { KafkaBusBase } from './kafka-bus-base';
import { createConsumer, createKafka, createProducer } from './kafka-clients';
import type { KafkaSasl, KafkaTls } from './kafka-security';
import { KafkaSockets } from './kafka-sockets';
import { StartPosition } from './kafka-start-position';
import { KafkaTopics } from './kafka-topics';
import { errorMessage, type BusLogger } from './logger';

/** Options of both Kafka buses, {@link KafkaBus} and PlatformaticKafkaBus. */
export interface KafkaBusOptions {
  /** e.g. ["127.0.0.1:9092"]. */
  brokers: string[];
  /** The Kafka clients' id; default "spear-bus". */
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

/** Where a started bus keeps its receiving side. */
interface Started {
  consumer: Consumer;
  onEnvelope: (envelope: Envelope) => void;
}

/**
 * {@link Bus} over Kafka on kafkajs, chosen with `kafka.client: kafkajs`;
 * the default is PlatformaticKafkaBus (@platformatic/kafka), which keeps
 * everything below. A single-partition topic per node for directed
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
export class KafkaBus extends KafkaBusBase {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private producer: Producer;
  private readonly topics: KafkaTopics;
  private readonly sockets = new KafkaSockets();
  private publisherReady: Promise<void> | null = null;
  private started: Started | null = null;

  /** Validates names and reads a TLS CA file (throwing when it cannot); connects nothing. */
  constructor(options: KafkaBusOptions) {
    super('KafkaBus', options);
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
  }

  /** As KafkaBusBase.close(); then closes whatever connection kafkajs left open (e.g. a group join stuck during an outage). */
  override async close(): Promise<void> {
    await super.close();
    await this.sockets.closeAll();
  }

  protected closeClients(force: boolean): Array<Promise<void> | undefined> {
    // By force, the sockets are closed after (close()).
    return force ? [] : [this.started?.consumer.disconnect(), this.producer.disconnect(), this.admin.disconnect()];
  }

  protected async startReceiving(topics: string[], groupId: string, onEnvelope: (envelope: Envelope) => void): Promise<void> {
    const consumer = createConsumer(this.kafka, groupId, () => this.closed);
    this.started = { consumer, onEnvelope };
    await Promise.all([this.connectedPublisher(), consumer.connect()]);
    await this.topics.ensure(topics);
    const position = await StartPosition.measure(this.admin, groupId, topics, this.abort.signal);
    // fromBeginning only matters when a committed offset is out of range (deleted by retention): skip to the end.
    await consumer.subscribe({ topics, fromBeginning: false });
    position.applyOnFirstJoin(consumer);
    await this.runUntilJoined(consumer);
    await position.committed(this.admin, this.abort.signal);
  }

  /**
   * consumer.run() returns before the group join; resolve only once the
   * partitions are assigned. A crash kafkajs restarts from (a new topic's
   * partition not yet hosted by its leader on a cluster) is waited out: the
   * restarted consumer's join resolves it, within the bus's start timeout.
   */
  private async runUntilJoined(consumer: Consumer): Promise<void> {
    const removers: Array<() => void> = [];
    try {
      const joined = new Promise<void>((resolve, reject) => {
        removers.push(consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
        removers.push(consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart || this.closed) reject(payload.error);
          else this.logger.warn({ err: errorMessage(payload.error) }, 'bus: kafka consumer crashed while starting; kafkajs restarts it');
        }));
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
    this.receiveRecord(message.value?.toString(), message.headers?.[KafkaBusBase.GROUP_HEADER]?.toString(), this.started?.onEnvelope ?? null, { topic, offset: message.offset });
  }

  /** Called by the send queue, one request at a time, so connecting and topic creation keep publish order. */
  protected async sendNow(topicMessages: TopicMessages[]): Promise<void> {
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
