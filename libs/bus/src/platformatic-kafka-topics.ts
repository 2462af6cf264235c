import { findErrorBy, type Admin } from '@platformatic/kafka';
import { untilDonePlatformatic } from './platformatic-kafka-retry';
import { TopicsOnce } from './topics-once';

/** {@link TopicsOnce} on @platformatic/kafka's admin client. */
export class PlatformaticTopics extends TopicsOnce {
  constructor(private readonly admin: Admin) {
    super();
  }

  protected async createServed(topic: string): Promise<void> {
    // Replicas -1: the broker's default.replication.factor. An existing topic (another node created it) is left as it is.
    await this.admin.createTopics({ topics: [topic], partitions: 1, replicas: -1 }).catch((error: unknown) => {
      if (!findErrorBy(error as Error, 'apiId', 'TOPIC_ALREADY_EXISTS')) throw error;
    });
    await untilDonePlatformatic(`topic ${topic} getting a leader`, async () => {
      const metadata = await this.admin.metadata({ topics: [topic], forceUpdate: true });
      const partitions = metadata.topics.get(topic)?.partitions ?? [];
      return partitions.length > 0 && partitions.every(({ leader }) => leader >= 0) ? true : undefined;
    });
  }
}
