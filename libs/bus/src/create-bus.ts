import type { Bus } from './bus';
import { KafkaBus, type KafkaBusOptions } from './kafka-bus';
import type { BusLogger } from './logger';
import { PlatformaticKafkaBus } from './platformatic-kafka-bus';
import { RedisBus, type RedisBusOptions } from './redis-bus';

/** Which bus to use and how to reach it; matches the `bus`, `redis` and `kafka` config sections. */
export interface BusConfig {
  bus: 'redis' | 'kafka';
  redis: Omit<RedisBusOptions, 'logger'>;
  /** Required when `bus` is "kafka"; `client` picks the client library (default platformatic). */
  kafka?: (Omit<KafkaBusOptions, 'logger'> & { client?: KafkaClientName }) | null;
  /**
   * How long publishToNodes coalesces envelopes per destination node, for
   * whichever bus is made: 0 (default) = the rest of this event-loop turn;
   * at most 1 ms. A value in the bus's own section wins.
   */
  batchWindowMs?: number;
  /**
   * Bound on a publishToNodes promise, from the call (see Bus), for whichever
   * bus is made; default 1000 ms, must be above batchWindowMs. A value in the
   * bus's own section wins.
   */
  publishWaitMs?: number;
  logger?: BusLogger;
}

/** The Kafka client libraries a Kafka bus can run on: the same topics, groups and wire format either way. */
export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

/**
 * A {@link RedisBus}, or per `kafka.client` a {@link PlatformaticKafkaBus}
 * (the default) or {@link KafkaBus} (kafkajs), per `config.bus`; nothing is connected until
 * used. Throws, naming the option, when one is out of range.
 */
export function createBus(config: BusConfig): Bus {
  const { logger, batchWindowMs, publishWaitMs } = config;
  // Only defined values, so they never overwrite a section's own with undefined.
  const shared = defined({ batchWindowMs, publishWaitMs });
  if (config.bus === 'redis') return new RedisBus({ ...shared, ...defined(config.redis), logger });
  if (!config.kafka) throw new Error('createBus: bus "kafka" needs a kafka section with brokers');
  // @platformatic/kafka by default: maintained, and measured against kafkajs in docs/BENCHMARKS.md ("Kafka clients").
  const { client = 'platformatic', ...kafka } = config.kafka;
  const options = { ...shared, ...defined(kafka), logger };
  if (client === 'platformatic') return new PlatformaticKafkaBus(options);
  if (client === 'kafkajs') return new KafkaBus(options);
  throw new Error(`createBus: kafka.client must be kafkajs or platformatic, got ${JSON.stringify(client)}`);
}

/** `options` without its undefined fields. */
function defined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}
