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
import { withTimeout } from './with-timeout';

/** The header naming a fanout record's group; broadcasts have none. */
const GROUP_HEADER = 'group';

/** How long close() waits for the clients to commit, leave the group and disconnect before closing by force. */
export const CLOSE_GRACE_MS = 5_000;

/**
 * What a Kafka bus is whatever its client (KafkaBus on kafkajs,
 * PlatformaticKafkaBus on @platformatic/kafka): the topics and their names,
 * the publish paths (directed envelopes coalesced per node and turn, group
 * envelopes and broadcasts on the fanout topic with the group in a header),
 * local group bookkeeping, the receive filter and the close order. A client
 * says how it sends a request (`sendNow`, called by the send queue one request
 * at a time, so topic creation keeps publish order), how it starts consuming,
 * and how its clients close. Guarantees: see KafkaBus's class comment.
 */
export abstract class KafkaBusBase implements Bus {
  /** The fanout header of a record, read by each client in its own header shape. */
  protected static readonly GROUP_HEADER = GROUP_HEADER;
  protected readonly names: KafkaNames;
  protected readonly logger: BusLogger;
  /** Ends start()'s retry loops when close() comes first. */
  protected readonly abort = new AbortController();
  protected closed = false;
  private startCalled = false;
  private readonly startTimeoutMs: number;
  private readonly publishTimeoutMs: number;
  private readonly groups = new Set<string>();
  private readonly sendQueue = new KafkaSendQueue((topicMessages) => this.sendNow(topicMessages));
  private readonly directed: DirectedBatcher;

  /** `label` names the bus in its errors ("KafkaBus: closed"). */
  protected constructor(
    private readonly label: string,
    options: KafkaBusOptions,
  ) {
    this.names = new KafkaNames(options.topicPrefix ?? 'spear');
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.logger = options.logger ?? silentLogger;
    const publishFailed = (error: unknown) => new Error(`${label}: publish failed: ${this.describeError(error)}`, { cause: error });
    this.directed = new DirectedBatcher((batches) => sendDirected(this.sendQueue, this.names, batches, publishFailed), {
      label,
      windowMs: options.batchWindowMs,
      waitMs: options.publishWaitMs,
    });
  }

  /**
   * Creates this node's topic and the fanout topic if needed and resolves
   * once the consumer has joined its group with its start position set (see
   * KafkaBus's class comment). Rejects, and closes the bus, when that takes
   * longer than `startTimeoutMs` or the node id cannot name a topic. Once per bus.
   */
  async start(nodeId: string, onEnvelope: (envelope: Envelope) => void): Promise<void> {
    if (this.startCalled || this.closed) throw new Error(`${this.label}: start() may be called once, before close()`);
    this.startCalled = true;
    try {
      const topics = [this.names.nodeTopic(nodeId), this.names.fanoutTopic()];
      await withTimeout(this.startReceiving(topics, this.names.groupId(nodeId), onEnvelope), this.startTimeoutMs, `starting node ${nodeId}`);
    } catch (error) {
      await this.close();
      throw new Error(`${this.label}: cannot start: ${this.describeError(error)}`, { cause: error });
    }
  }

  /** A client error as the bus's own errors put it (a client whose messages bury the reason overrides this). */
  protected describeError(error: unknown): string {
    return errorMessage(error);
  }

  /** Ensures `topics`, sets a new group's start position and joins `groupId`, handing records to receiveRecord with `onEnvelope`. */
  protected abstract startReceiving(topics: string[], groupId: string, onEnvelope: (envelope: Envelope) => void): Promise<void>;

  /** Sends one produce request (acks from all in-sync replicas); topics are created first where needed. */
  protected abstract sendNow(topicMessages: TopicMessages[]): Promise<void>;

  /** Closes the consumer (committing, leaving its group), the producer and the admin; `force` after CLOSE_GRACE_MS ran out. */
  protected abstract closeClients(force: boolean): Array<Promise<unknown> | undefined>;

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
    if (this.closed) return Promise.reject(new Error(`${this.label}: closed`));
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
   * closes every client; what has not closed after CLOSE_GRACE_MS is closed
   * by force. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.directed.close(new Error(`${this.label}: closed`));
    this.sendQueue.rejectQueued(new Error(`${this.label}: closed`));
    try {
      for (const result of await withTimeout(Promise.allSettled(this.closeClients(false)), CLOSE_GRACE_MS, 'closing')) {
        if (result.status === 'rejected') this.logger.warn({ err: this.describeError(result.reason) }, 'bus: kafka close failed');
      }
    } catch (error) {
      this.logger.warn({ err: this.describeError(error) }, 'bus: kafka did not close in time; closing by force');
      await Promise.allSettled(this.closeClients(true));
    }
  }

  /** A record from a node or the fanout topic: skipped unless started and its group (header) joined, else decoded and delivered. */
  protected receiveRecord(value: string | undefined, group: string | undefined, onEnvelope: ((envelope: Envelope) => void) | null, where: { topic: string; offset: string }): void {
    if (!onEnvelope || this.closed || !value) return;
    // Header first: groups this node did not join are skipped without parsing.
    if (group !== undefined && !this.groups.has(group)) return;
    deliver(value, onEnvelope, this.logger, { bus: 'kafka', ...where });
  }

  private async publish(topicMessages: TopicMessages[]): Promise<void> {
    if (this.closed) throw new Error(`${this.label}: closed`);
    const queued = this.sendQueue.send(topicMessages);
    try {
      await withTimeout(queued.done, this.publishTimeoutMs, 'publish', queued.cancel);
    } catch (error) {
      throw new Error(`${this.label}: publish failed: ${this.describeError(error)}`, { cause: error });
    }
  }
}
