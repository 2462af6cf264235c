/** Characters Kafka allows in a topic name. */
const TOPIC_SAFE = /^[A-Za-z0-9._-]+$/;
/** Kafka's topic name limit. */
const MAX_TOPIC_LENGTH = 249;

/**
 * Topic and consumer group names for one prefix. A node id or prefix that
 * Kafka cannot carry in a topic name is rejected rather than rewritten, so
 * two ids can never end up sharing a topic.
 */
export class KafkaNames {
  constructor(private readonly prefix: string) {
    assertTopicSafe(prefix, 'topic prefix');
  }

  /** `<prefix>.node.<nodeId>`: directed envelopes for that node (1 partition). */
  nodeTopic(nodeId: string): string {
    assertTopicSafe(nodeId, 'node id');
    return checkLength(`${this.prefix}.node.${nodeId}`);
  }

  /** `<prefix>.fanout`: group envelopes and broadcasts, read by every node. */
  fanoutTopic(): string {
    return `${this.prefix}.fanout`;
  }

  /** `<prefix>-node-<nodeId>`: the node's own consumer group, so it resumes where it stopped. */
  groupId(nodeId: string): string {
    return `${this.prefix}-node-${nodeId}`;
  }
}

function assertTopicSafe(value: string, what: string): void {
  if (!TOPIC_SAFE.test(value)) {
    throw new Error(`KafkaBus: ${what} "${value}" may only contain letters, digits, '.', '_' and '-'`);
  }
}

function checkLength(topic: string): string {
  if (topic.length > MAX_TOPIC_LENGTH) {
    throw new Error(`KafkaBus: topic name longer than ${MAX_TOPIC_LENGTH}: ${topic}`);
  }
  return topic;
}
