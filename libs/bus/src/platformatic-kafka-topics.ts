import { findErrorBy, type Admin } from '@platformatic/kafka';
import { untilDonePlatformatic } from './platformatic-kafka-retry';

/**
 * Creates topics on first use and remembers which exist, so a publish costs
 * admin round trips only the first time this process sends to a topic.
 * Concurrent first uses of one topic share one creation. The same rules as
 * KafkaTopics (kafka-topics.ts), on @platformatic/kafka's admin client.
 */
export class PlatformaticTopics {
  private readonly known = new Set<string>();
  private readonly creating = new Map<string, Promise<void>>();

  constructor(private readonly admin: Admin) {}

  /** Resolves once every topic exists (one partition if created here) and has a leader. */
  async ensure(topics: readonly string[]): Promise<void> {
    const missing = topics.filter((topic) => !this.known.has(topic));
    if (missing.length === 0) return;
    await Promise.all(missing.map((topic) => this.creating.get(topic) ?? this.create(topic)));
  }

  private create(topic: string): Promise<void> {
    const creation = (async () => {
      try {
        // One partition: Kafka keeps order only within a partition. Replicas -1: the broker's
        // default.replication.factor. An existing topic (another node created it) is left as it is.
        await this.admin.createTopics({ topics: [topic], partitions: 1, replicas: -1 }).catch((error: unknown) => {
          if (!findErrorBy(error as Error, 'apiId', 'TOPIC_ALREADY_EXISTS')) throw error;
        });
        await this.waitUntilServed(topic);
        this.known.add(topic);
      } finally {
        // On failure the next publish tries again.
        this.creating.delete(topic);
      }
    })();
    this.creating.set(topic, creation);
    return creation;
  }

  /** Polls the metadata until every partition of `topic` has a leader. */
  private async waitUntilServed(topic: string): Promise<void> {
    await untilDonePlatformatic(`topic ${topic} getting a leader`, async () => {
      const metadata = await this.admin.metadata({ topics: [topic], forceUpdate: true });
      const partitions = metadata.topics.get(topic)?.partitions ?? [];
      return partitions.length > 0 && partitions.every(({ leader }) => leader >= 0) ? true : undefined;
    });
  }
}
