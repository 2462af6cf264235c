import { Kafka, logLevel, type Admin } from 'kafkajs';
import { kafkajsSasl, type KafkaScramUser } from './kafka-sasl';
import type { EngineStatus } from './types';

/**
 * Topic names from a metadata request, or null when the brokers do not answer within
 * `timeoutMs` (or refuse `sasl`).
 */
export function kafkaListTopics(brokers: string[], timeoutMs = 2_000, sasl?: KafkaScramUser): Promise<string[] | null> {
  return askKafkaAdmin(brokers, timeoutMs, (admin) => admin.listTopics(), sasl);
}

/**
 * What `question` answers through a fresh quiet admin client of `brokers`
 * (so probing never logs connection errors, and nothing retries), or null
 * when it fails or takes longer than `timeoutMs`. The client is disconnected either way.
 */
export async function askKafkaAdmin<T>(brokers: readonly string[], timeoutMs: number, question: (admin: Admin) => Promise<T>, sasl?: KafkaScramUser): Promise<T | null> {
  const kafka = new Kafka({
    clientId: 'spear-engine-probe',
    brokers: [...brokers],
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
    const answer = (async () => {
      await admin.connect();
      return question(admin);
    })();
    // Keep a late rejection (after the timeout won) from surfacing as unhandled.
    answer.catch(() => undefined);
    return await Promise.race([answer, timeout]);
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
