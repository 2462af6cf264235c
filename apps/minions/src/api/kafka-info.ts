import { kafkaSecurityOptions, type KafkaSecurity } from '@spear/bus';
import { Kafka, logLevel, type Admin } from 'kafkajs';

export interface KafkaTopicInfo {
  topic: string;
  partitions: number;
  /** Sum of the partitions' high watermarks: records ever written (less what retention removed). */
  messages: number;
}

export type KafkaInfo = { configured: false } | { configured: true; bus: boolean; brokers: string[]; topics: KafkaTopicInfo[] };

/** The profile's `kafka` section: where the brokers are and how to reach them (SASL, TLS). */
export type KafkaConnection = { brokers: string[] } & KafkaSecurity;

const TIMEOUT_MS = 3000;

/**
 * Reads Spear's Kafka topics (the per-node and fanout topics of the Kafka
 * bus) and their sizes. One admin client, connected on first use with the
 * bus's SASL and TLS settings; every read is bounded so a broker outage shows
 * as an error, not a hang. A CA file that cannot be read fails the read.
 */
export class KafkaInfoReader {
  private admin?: Admin;
  private connected?: Promise<void>;

  constructor(
    private readonly kafka: KafkaConnection | undefined,
    private readonly busIsKafka: boolean,
  ) {}

  async read(): Promise<KafkaInfo> {
    if (!this.kafka) return { configured: false };
    const { brokers, ...security } = this.kafka;
    const admin = (this.admin ??= new Kafka({ clientId: 'spear-minions', brokers, ...kafkaSecurityOptions(security), logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: TIMEOUT_MS }).admin());
    this.connected ??= admin.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    const work = (async () => {
      await this.connected;
      const names = (await admin.listTopics()).filter((t) => t.startsWith('spear.')).sort();
      const topics = await Promise.all(
        names.map(async (topic) => {
          const offsets = await admin.fetchTopicOffsets(topic);
          return { topic, partitions: offsets.length, messages: offsets.reduce((n, o) => n + Number(o.high), 0) };
        }),
      );
      return { configured: true as const, bus: this.busIsKafka, brokers, topics };
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from ${brokers.join(',')} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS)));
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}
