import type { Admin, Consumer } from 'kafkajs';
import { untilDone } from './kafka-retry';

/** A partition without a committed offset and where its consumer should begin. */
interface FreshPartition {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Pins where a consumer group starts on partitions it never committed on:
 * the end of each partition as measured before the consumer joins.
 *
 * Why: kafkajs resolves "latest" for a new group only at its first fetch,
 * after the group join, so whatever is published in between is skipped, and
 * since nothing is committed until a message is handled, a node that stops
 * before receiving anything would skip again on its next start. Here the
 * position is measured first, applied with a seek on the first join (kafkajs
 * commits a seek at once when auto-commit is on) and waited for: everything
 * published after {@link measure} is delivered, and a start that resolved
 * after {@link committed} is remembered by the group.
 * Partitions with a committed offset are left alone: a restarted node
 * resumes where it stopped.
 */
export class StartPosition {
  private constructor(
    private readonly groupId: string,
    private readonly fresh: readonly FreshPartition[],
  ) {}

  /** Reads the group's committed offsets and the current ends of the partitions without one. */
  static async measure(
    admin: Admin,
    groupId: string,
    topics: readonly string[],
    signal?: AbortSignal,
  ): Promise<StartPosition> {
    const readCommitted = () => admin.fetchOffsets({ groupId, topics: [...topics] });
    const committed = await untilDone('reading committed offsets', readCommitted, { signal });
    const fresh: FreshPartition[] = [];
    for (const { topic, partitions } of committed) {
      // kafkajs reports "no committed offset" as -1.
      const missing = new Set(partitions.filter(({ offset }) => Number(offset) < 0).map(({ partition }) => partition));
      if (missing.size === 0) continue;
      const ends = await untilDone(`reading the end of ${topic}`, () => admin.fetchTopicOffsets(topic), { signal });
      for (const { partition, high } of ends) {
        if (missing.has(partition)) fresh.push({ topic, partition, offset: high });
      }
    }
    return new StartPosition(groupId, fresh);
  }

  /** Call before consumer.run(): seeks the fresh partitions when the consumer first joins its group. */
  applyOnFirstJoin(consumer: Consumer): void {
    if (this.fresh.length === 0) return;
    // GROUP_JOIN is emitted synchronously before the first fetch, which is where kafkajs applies seeks.
    const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
      remove();
      for (const { topic, partition, offset } of this.fresh) consumer.seek({ topic, partition, offset });
    });
  }

  /** Resolves once the group has a committed offset on every fresh partition. */
  async committed(admin: Admin, signal?: AbortSignal): Promise<void> {
    const topics = [...new Set(this.fresh.map(({ topic }) => topic))];
    if (topics.length === 0) return;
    await untilDone(
      'committing the start position',
      async () => {
        const offsets = await admin.fetchOffsets({ groupId: this.groupId, topics });
        const pending = this.fresh.some(({ topic, partition }) => {
          const entry = offsets.find((o) => o.topic === topic)?.partitions.find((p) => p.partition === partition);
          return !entry || Number(entry.offset) < 0;
        });
        return pending ? undefined : true;
      },
      { signal, pauseMs: 20 },
    );
  }
}
