import type { Message, TopicMessages } from 'kafkajs';

/** Upper bound of message bytes per produce request, well under Kafka's 1 MB default record batch limit. */
const MAX_BATCH_BYTES = 512 * 1024;

interface Entry {
  topicMessages: readonly TopicMessages[];
  bytes: number;
  cancelled: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A queued send. */
export interface QueuedSend {
  /** Settles with the request that carried the messages. */
  done: Promise<void>;
  /** Drops the messages if they were not handed to Kafka yet; `done` then never settles (the caller gave up on it). */
  cancel(): void;
}

/**
 * Sends produce requests one at a time (the idempotent producer allows one
 * in flight) and, while one is in flight, gathers everything queued behind it
 * into the next request. An idle bus therefore sends at once (no linger
 * delay), a busy one sends fewer, larger requests. Messages keep their queue
 * order within each topic, which is what keeps per-destination order.
 */
export class KafkaSendQueue {
  private queue: Entry[] = [];
  private flushing = false;

  /** `sendBatch` sends one merged request and resolves once Kafka acknowledged it. */
  constructor(private readonly sendBatch: (topicMessages: TopicMessages[]) => Promise<void>) {}

  /** Queues messages; `done` settles with the request that carried them. */
  send(topicMessages: readonly TopicMessages[]): QueuedSend {
    let entry!: Entry;
    const done = new Promise<void>((resolve, reject) => {
      entry = { topicMessages, bytes: sizeOf(topicMessages), cancelled: false, resolve, reject };
    });
    this.queue.push(entry);
    if (!this.flushing) void this.flush();
    return { done, cancel: () => (entry.cancelled = true) };
  }

  /** Rejects everything not yet handed to Kafka. */
  rejectQueued(error: Error): void {
    for (const entry of this.queue.splice(0)) entry.reject(error);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        if (batch.length === 0) continue;
        try {
          await this.sendBatch(merge(batch));
          for (const entry of batch) entry.resolve();
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Leading queue entries up to MAX_BATCH_BYTES (at least one), minus cancelled ones. */
  private takeBatch(): Entry[] {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || bytes + this.queue[count]!.bytes <= MAX_BATCH_BYTES)) {
      bytes += this.queue[count]!.bytes;
      count++;
    }
    return this.queue.splice(0, count).filter((entry) => !entry.cancelled);
  }
}

/** One TopicMessages per topic, messages in queue order. */
function merge(entries: readonly Entry[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const entry of entries) {
    for (const { topic, messages } of entry.topicMessages) {
      const list = byTopic.get(topic);
      if (list) list.push(...messages);
      else byTopic.set(topic, [...messages]);
    }
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function sizeOf(topicMessages: readonly TopicMessages[]): number {
  let bytes = 0;
  for (const { messages } of topicMessages) {
    for (const { value } of messages) {
      bytes += typeof value === 'string' ? Buffer.byteLength(value) : (value?.length ?? 0);
    }
  }
  return bytes;
}
