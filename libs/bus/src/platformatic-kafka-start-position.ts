import { findErrorBy, ListOffsetTimestamps, type Admin } from '@platformatic/kafka';
import { untilDonePlatformatic } from './platformatic-kafka-retry';

/** Topics of this bus have one partition (see PlatformaticTopics). */
const PARTITION = 0;

/** How long a group that still has a member (a crashed node's, until its 10 s session times out) is waited for. */
const GROUP_BUSY_WAIT_MS = 20_000;

/** Group states in which Kafka refuses an offset commit from outside the group; they pass once the old member is gone. */
const GROUP_BUSY = ['NON_EMPTY_GROUP', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'COORDINATOR_LOAD_IN_PROGRESS'];

/**
 * Pins where a node's consumer group starts on topics it never committed
 * on: the end of each topic as measured now, committed for the group before
 * the consumer joins. The consumer then reads from the committed offsets.
 *
 * Why: the client's "latest" is resolved after the group join, so whatever
 * is published in between would be skipped, and a node that stops before
 * receiving anything would skip again on its next start. With the position
 * committed first, everything published after {@link pinStartPosition}
 * began is delivered, and the start is remembered by the group. Topics with
 * a committed offset are left alone: a restarted node resumes where it
 * stopped. (KafkaBus does the same with a seek on its first join:
 * kafka-start-position.ts.)
 */
export async function pinStartPosition(admin: Admin, groupId: string, topics: readonly string[], signal?: AbortSignal): Promise<void> {
  const fresh = await uncommittedTopics(admin, groupId, topics, signal);
  if (fresh.length === 0) return;
  const ends = await untilDonePlatformatic(
    'reading the end of the topics',
    () => admin.listOffsets({ topics: fresh.map((name) => ({ name, partitions: [{ partitionIndex: PARTITION, timestamp: ListOffsetTimestamps.LATEST }] })) }),
    { signal },
  );
  const partitionOffsets = ends.map(({ name, partitions }) => ({
    name,
    partitionOffsets: partitions.map(({ partitionIndex, offset }) => ({ partition: partitionIndex, offset })),
  }));
  await untilDonePlatformatic(
    'committing the start position',
    async () => {
      try {
        await admin.alterConsumerGroupOffsets({ groupId, topics: partitionOffsets });
        return true;
      } catch (error) {
        if (GROUP_BUSY.some((id) => findErrorBy(error as Error, 'apiId', id))) return undefined;
        throw error;
      }
    },
    { signal, timeoutMs: GROUP_BUSY_WAIT_MS, pauseMs: 250 },
  );
}

/** The topics on which `groupId` has no committed offset. */
async function uncommittedTopics(admin: Admin, groupId: string, topics: readonly string[], signal?: AbortSignal): Promise<string[]> {
  const request = { groups: [{ groupId, topics: topics.map((name) => ({ name, partitionIndexes: [PARTITION] })) }] };
  const [group] = await untilDonePlatformatic('reading committed offsets', () => admin.listConsumerGroupOffsets(request), { signal });
  const committed = new Set(
    (group?.topics ?? []).filter(({ partitions }) => partitions.some(({ committedOffset }) => committedOffset >= 0n)).map(({ name }) => name),
  );
  return topics.filter((topic) => !committed.has(topic));
}
