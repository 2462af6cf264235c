import { Kafka, logLevel } from 'kafkajs';
import { kafkajsSasl, type KafkaScramUser } from './kafka-sasl';
import type { EngineStatus } from './types';

/**
 * Topic names from a metadata request, or null when the brokers do not answer within
 * `timeoutMs` (or refuse `sasl`). A fresh quiet client each call, so probing never
 * logs connection errors.
 */
export async function kafkaListTopics(brokers: string[], timeoutMs = 2_000, sasl?: KafkaScramUser): Promise<string[] | null> {
  const kafka = new Kafka({
    clientId: 'spear-engine-probe',
    brokers,
    ...(sasl ? { sasl: kafkajsSasl(sasl) } : {}),
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 1_000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  try {
    const topics = (async () => {
      await admin.connect();
      return admin.listTopics();
    })();
    // Keep a late rejection (after the timeout won) from surfacing as unhandled.
    topics.catch(() => undefined);
    return await Promise.race([topics, timeout]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

/** Quick Kafka liveness check (metadata request) for a status command. */
export async function kafkaStatus(port: number, timeoutMs = 2_000): Promise<EngineStatus> {
  const topics = await kafkaListTopics([`127.0.0.1:${port}`], timeoutMs);
  return topics
    ? { up: true, detail: `${topics.length} topic(s)` }
    : { up: false, detail: `no metadata from 127.0.0.1:${port}` };
}
