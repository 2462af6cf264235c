import { Kafka, logLevel } from 'kafkajs';
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

/** The metadata's broker ids asked through `broker`; a fresh quiet client, so probing never logs. */
async function brokerIdsVia(broker: string, timeoutMs: number): Promise<number[] | null> {
  const kafka = new Kafka({
    clientId: 'spear-engine-probe',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 1_000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  try {
    const described = (async () => {
      await admin.connect();
      return (await admin.describeCluster()).brokers.map((broker) => broker.nodeId).sort((a, b) => a - b);
    })();
    // Keep a late rejection (after the timeout won) from surfacing as unhandled.
    described.catch(() => undefined);
    return await Promise.race([described, timeout]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

/** Quick Kafka cluster check for a status command: up when every one of `brokers` is in the metadata. */
export async function kafkaClusterStatus(brokers: readonly string[], timeoutMs = 2_000): Promise<EngineStatus> {
  const ids = await kafkaClusterBrokerIds(brokers, timeoutMs);
  if (ids === null) return { up: false, detail: `no metadata from ${brokers.join(', ')}` };
  const detail = `${ids.length} of ${brokers.length} brokers in the metadata (ids ${ids.join(', ') || 'none'})`;
  return { up: ids.length === brokers.length, detail };
}
