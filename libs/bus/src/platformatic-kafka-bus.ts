import type { Admin } from '@platformatic/kafka';
import type { TopicMessages } from 'kafkajs';
import type { Envelope } from './bus';
import type { KafkaBusOptions } from './kafka-bus';
import { KafkaBusBase } from './kafka-bus-base';
import { baseOptions, createAdmin, createConsumer, createProducer, type BusProducer } from './platformatic-kafka-clients';
import { platformaticErrorMessage } from './platformatic-kafka-errors';
import { PlatformaticReceiver, type ReceivedMessage } from './platformatic-kafka-receiver';
import { pinStartPosition } from './platformatic-kafka-start-position';
import { PlatformaticTopics } from './platformatic-kafka-topics';

/** The same options as {@link KafkaBus}; `clientId` names the @platformatic/kafka clients. */
export type PlatformaticKafkaBusOptions = KafkaBusOptions;

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
export class PlatformaticKafkaBus extends KafkaBusBase {
  private readonly admin: Admin;
  private readonly producer: BusProducer;
  private readonly topics: PlatformaticTopics;
  private readonly base: ReturnType<typeof baseOptions>;
  private receiver: PlatformaticReceiver | null = null;
  private onEnvelope: ((envelope: Envelope) => void) | null = null;

  /** Validates names and reads a TLS CA file (throwing when it cannot); connects nothing. */
  constructor(options: PlatformaticKafkaBusOptions) {
    super('PlatformaticKafkaBus', options);
    this.base = baseOptions({
      brokers: options.brokers,
      clientId: options.clientId ?? 'spear-bus',
      security: { sasl: options.sasl, tls: options.tls },
    });
    this.admin = createAdmin(this.base);
    this.producer = createProducer(this.base);
    this.topics = new PlatformaticTopics(this.admin);
  }

  /** A refused login is named first: the client reports it under its retries and connection errors. */
  protected override describeError(error: unknown): string {
    return platformaticErrorMessage(error);
  }

  protected closeClients(force: boolean): Array<Promise<unknown> | undefined> {
    return [this.receiver?.close(force), this.producer.close(force), this.admin.close()];
  }

  protected async startReceiving(topics: string[], groupId: string, onEnvelope: (envelope: Envelope) => void): Promise<void> {
    this.onEnvelope = onEnvelope;
    await this.topics.ensure(topics);
    await pinStartPosition(this.admin, groupId, topics, this.abort.signal);
    if (this.closed) throw new Error('closed while starting');
    const consumer = createConsumer(this.base, groupId);
    this.receiver = new PlatformaticReceiver(consumer, topics, (message) => this.receive(message), this.logger);
    await this.receiver.start();
  }

  private receive(message: ReceivedMessage): void {
    this.receiveRecord(message.value, message.headers.get(KafkaBusBase.GROUP_HEADER), this.onEnvelope, { topic: message.topic, offset: String(message.offset) });
  }

  /** Called by the send queue, one request at a time, so topic creation keeps publish order. */
  protected async sendNow(topicMessages: TopicMessages[]): Promise<void> {
    if (this.closed) throw new Error('PlatformaticKafkaBus: closed');
    await this.topics.ensure(topicMessages.map(({ topic }) => topic));
    const messages = topicMessages.flatMap(({ topic, messages }) =>
      // The send queue carries kafkajs's message shape (it is shared with KafkaBus); this bus only ever puts strings in it.
      messages.map(({ value, headers }) => ({ topic, value: value as string, headers: headers as Record<string, string> | undefined })),
    );
    await this.producer.send({ messages });
  }
}
