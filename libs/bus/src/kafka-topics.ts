import type { Admin } from 'kafkajs';
import { untilDone } from './kafka-retry';
import { TopicsOnce } from './topics-once';

/** {@link TopicsOnce} on kafkajs's admin client. */
export class KafkaTopics extends TopicsOnce {
  constructor(private readonly admin: Admin) {
    super();
  }

  protected async createServed(topic: string): Promise<void> {
    // An existing topic (another node created it) is left as it is. Not `waitForLeaders`: kafkajs
    // gives up when a KRaft broker briefly reports the new topic unknown; the metadata is polled instead.
    await this.admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: false });
    await untilDone(`topic ${topic} getting a leader`, async () => {
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics[0]?.partitions ?? [];
      return partitions.length > 0 && partitions.every(({ leader }) => leader >= 0) ? true : undefined;
    });
  }
}
