import { askKafkaAdmin } from './kafka-status';
import type { EngineStatus } from './types';

/**
 * Ids of the brokers the cluster's metadata lists (the live, unfenced ones),
 * asked through each of `brokers` in turn until one answers within
 * `timeoutMs`; null when none does. One at a time because a client given
 * several picks one at random and, without retries, fails on a dead one.
 */
export async function kafkaClusterBrokerIds(brokers: readonly string[], timeoutMs = 2_000): Promise<number[] | null> {
  for (const broker of brokers) {
    const ids = await brokerIdsVia(broker, timeoutMs);
    if (ids) return ids;
  }
  return null;
}

/**
 * The broker ids in the metadata of `broker` itself (a broker's view of the
 * cluster can lag the controller's a moment), or null when it does not answer
 * within `timeoutMs`.
 */
export function brokerIdsVia(broker: string, timeoutMs = 2_000): Promise<number[] | null> {
  return askKafkaAdmin([broker], timeoutMs, async (admin) => (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort((a, b) => a - b));
}

/**
 * Whether every one of `brokers` answers with metadata listing all of them
 * (as many ids as brokers); else what the first that does not says.
 */
export async function kafkaBrokersAgree(brokers: readonly string[], timeoutMs = 2_000): Promise<{ agree: true; ids: number[] } | { agree: false; why: string }> {
  let ids: number[] | undefined;
  for (const broker of brokers) {
    const seen = await brokerIdsVia(broker, timeoutMs);
    if (seen === null) return { agree: false, why: `no metadata from ${broker}` };
    if (seen.length !== brokers.length) return { agree: false, why: `${broker} lists ${seen.length} of ${brokers.length} brokers (ids ${seen.join(', ') || 'none'})` };
    if (ids && seen.join() !== ids.join()) return { agree: false, why: `${broker} lists ids ${seen.join(', ')}, ${brokers[0]} ${ids.join(', ')}` };
    ids = seen;
  }
  return { agree: true, ids: ids ?? [] };
}

/** Quick Kafka cluster check for a status command: up when every one of `brokers` lists them all. */
export async function kafkaClusterStatus(brokers: readonly string[], timeoutMs = 2_000): Promise<EngineStatus> {
  const check = await kafkaBrokersAgree(brokers, timeoutMs);
  return check.agree ? { up: true, detail: `${brokers.length} brokers, each listing all (ids ${check.ids.join(', ')})` } : { up: false, detail: check.why };
}
