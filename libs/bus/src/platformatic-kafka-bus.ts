import type { Admin } from '@platformatic/kafka';
import type { TopicMessages } from 'kafkajs';
import type { Bus, Envelope } from './bus';
import { deliver } from './deliver';
import { DirectedBatcher } from './directed-batcher';
import { encodeEnvelope } from './envelope-codec';
import type { KafkaBusOptions } from './kafka-bus';
import { sendDirected } from './kafka-directed';
import { KafkaNames } from './kafka-names';
import { KafkaSendQueue } from './kafka-send-queue';
import { errorMessage, silentLogger, type BusLogger } from './logger';
import { baseOptions, createAdmin, createConsumer, createProducer, type BusProducer } from './platformatic-kafka-clients';
import { PlatformaticReceiver, type ReceivedMessage } from './platformatic-kafka-receiver';
import { pinStartPosition } from './platformatic-kafka-start-position';
import { PlatformaticTopics } from './platformatic-kafka-topics';
import { withTimeout } from './with-timeout';

/** The same options as {@link KafkaBus}; `clientId` names the @platformatic/kafka clients. */
export type PlatformaticKafkaBusOptions = KafkaBusOptions;

/** How long close() waits for the clients to commit, leave the group and disconnect before closing by force. */
const CLOSE_GRACE_MS = 5_000;

/** The header naming a fanout record's group; broadcasts have none. Same as KafkaBus. */
const GROUP_HEADER = 'group';

/**
 * {@link Bus} over Kafka with the pure-JS @platformatic/kafka client: the
 * same topics, consumer groups, wire format and guarantees as KafkaBus
 * (kafka-bus.ts; read its class comment), so the two can replace each other
 * on a running cluster. Per node a single-partition topic for directed
 * envelopes (`<prefix>.node.<nodeId>`), one fanout topic (`<prefix>.fanout`)
 * for group envelopes and broadcasts, and a consumer group per node
 * (`<prefix>-node-<nodeId>`).
 *
 * - Durable beyond the interface: a node restarted with the same id
 *   receives what was published while it was down; a new node id starts at
 *   the end of its topics as measured during start().
 * - After a crash, envelopes handled since the last commit (the last fetch)
 *   are delivered again; close() commits.
 * - Order: one node's envelopes to one node arrive in publish order (one
 *   partition, idempotent producer, one request in flight, acks from all
 *   in-sync replicas). No order between directed and fanout envelopes.
 * - Outages: publishes fail within `publishTimeoutMs` while Kafka is down;
 *   the receiving side consumes again by itself once Kafka is back (see
 *   PlatformaticReceiver).
 * - Groups are local bookkeeping; publishing works without start().
 */
export class PlatformaticKafkaBus implements Bus {
  private readonly admin: Admin;
  private readonly producer: BusProducer;
  private readonly topics: PlatformaticTopics;
  private readonly names: KafkaNames;
  private readonly base: ReturnType<typeof baseOptions>;
  private readonly publishTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly logger: BusLogger;
  private readonly groups = new Set<string>();
  private readonly sendQueue = new KafkaSendQueue((topicMessages) => this.sendNow(topicMessages));
  private readonly directed: DirectedBatcher;
  /** Ends start()'s retry loops when close() comes first. */
  private readonly abort = new AbortController();
  private receiver: PlatformaticReceiver | null = null;
  private onEnvelope: ((envelope: Envelope) => void) | null = null;
  private closed = false;

  /** Validates names and reads a TLS CA file (throwing when it cannot); connects nothing. */
  constructor(options: PlatformaticKafkaBusOptions) {
    this.names = new KafkaNames(options.topicPrefix ?? 'spear');
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.logger = options.logger ?? silentLogger;
    this.base = baseOptions({
      brokers: options.brokers,
      clientId: options.clientId ?? 'spear-bus',
      security: { sasl: options.sasl, tls: options.tls },
    });
    this.admin = createAdmin(this.base);
    this.producer = createProducer(this.base);
    this.topics = new PlatformaticTopics(this.admin);
    this.directed = new DirectedBatcher((batches) => sendDirected(this.sendQueue, this.names, batches), {
      label: 'PlatformaticKafkaBus',
      windowMs: options.batchWindowMs,
      waitMs: options.publishWaitMs,
    });
  }

  /**
   * Creates this node's topic and the fanout topic if needed, pins the start
   * position of a new node id, and resolves once the consumer has joined its
   * group. Rejects, and closes the bus, when that takes longer than
   * `startTimeoutMs` or the node id cannot name a topic. Once per bus.
   */
  async start(nodeId: string, onEnvelope: (envelope: Envelope) => void): Promise<void> {
    if (this.onEnvelope || this.closed) throw new Error('PlatformaticKafkaBus: start() may be called once, before close()');
    this.onEnvelope = onEnvelope;
    try {
      const topics = [this.names.nodeTopic(nodeId), this.names.fanoutTopic()];
      const groupId = this.names.groupId(nodeId);
      await withTimeout(this.startReceiver(topics, groupId), this.startTimeoutMs, `starting node ${nodeId}`);
    } catch (error) {
      await this.close();
      throw new Error(`PlatformaticKafkaBus: cannot start: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** As KafkaBus.publishToNodes: coalesced per node, one record per node per turn, acks=all. */
  publishToNodes(nodeIds: readonly string[], envelope: Envelope): Promise<void> {
    try {
      // Here, not at the flush: one bad id must not fail the other envelopes of its turn.
      for (const nodeId of nodeIds) this.names.nodeTopic(nodeId);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.closed) return Promise.reject(new Error('PlatformaticKafkaBus: closed'));
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
   * Stops consuming (committing and leaving the group), rejects publishes
   * still queued and closes every client. What has not closed after
   * CLOSE_GRACE_MS is closed by force. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.directed.close(new Error('PlatformaticKafkaBus: closed'));
    this.sendQueue.rejectQueued(new Error('PlatformaticKafkaBus: closed'));
    const closing = Promise.allSettled([this.receiver?.close(), this.producer.close(), this.admin.close()]);
    try {
      for (const result of await withTimeout(closing, CLOSE_GRACE_MS, 'closing')) {
        if (result.status === 'rejected') this.logger.warn({ err: errorMessage(result.reason) }, 'bus: kafka close failed');
      }
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'bus: kafka did not close in time; closing by force');
      await Promise.allSettled([this.receiver?.close(true), this.producer.close(true), this.admin.close()]);
    }
  }

  private async startReceiver(topics: string[], groupId: string): Promise<void> {
    await this.topics.ensure(topics);
    await pinStartPosition(this.admin, groupId, topics, this.abort.signal);
    if (this.closed) throw new Error('closed while starting');
    const consumer = createConsumer(this.base, groupId);
    this.receiver = new PlatformaticReceiver(consumer, topics, (message) => this.receive(message), this.logger);
    await this.receiver.start();
  }

  private receive(message: ReceivedMessage): void {
    const onEnvelope = this.onEnvelope;
    if (!onEnvelope || this.closed || !message.value) return;
    const group = message.headers.get(GROUP_HEADER);
    // Header first: groups this node did not join are skipped without parsing.
    if (group !== undefined && !this.groups.has(group)) return;
    deliver(message.value, onEnvelope, this.logger, { bus: 'kafka', topic: message.topic, offset: String(message.offset) });
  }

  private async publish(topicMessages: TopicMessages[]): Promise<void> {
    if (this.closed) throw new Error('PlatformaticKafkaBus: closed');
    const queued = this.sendQueue.send(topicMessages);
    try {
      await withTimeout(queued.done, this.publishTimeoutMs, 'publish', queued.cancel);
    } catch (error) {
      throw new Error(`PlatformaticKafkaBus: publish failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** Called by the send queue, one request at a time, so topic creation keeps publish order. */
  private async sendNow(topicMessages: TopicMessages[]): Promise<void> {
    if (this.closed) throw new Error('PlatformaticKafkaBus: closed');
    await this.topics.ensure(topicMessages.map(({ topic }) => topic));
    const messages = topicMessages.flatMap(({ topic, messages }) =>
      // The send queue carries kafkajs's message shape (it is shared with KafkaBus); this bus only ever puts strings in it.
      messages.map(({ value, headers }) => ({ topic, value: value as string, headers: headers as Record<string, string> | undefined })),
    );
    await this.producer.send({ messages });
  }
}
