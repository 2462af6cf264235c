import type { Bus } from './bus';
import { KafkaBus, type KafkaBusOptions } from './kafka-bus';
import type { BusLogger } from './logger';
import { RedisBus, type RedisBusOptions } from './redis-bus';

/** Which bus to use and how to reach it; matches the `bus`, `redis` and `kafka` config sections. */
export interface BusConfig {
  bus: 'redis' | 'kafka';
  redis: Omit<RedisBusOptions, 'logger'>;
  /** Required when `bus` is "kafka". */
  kafka?: Omit<KafkaBusOptions, 'logger'> | null;
  logger?: BusLogger;
}

/** A {@link RedisBus} or {@link KafkaBus} per `config.bus`; nothing is connected until used. */
export function createBus(config: BusConfig): Bus {
  const { logger } = config;
  if (config.bus === 'redis') return new RedisBus({ ...config.redis, logger });
  if (!config.kafka) throw new Error('createBus: bus "kafka" needs a kafka section with brokers');
  return new KafkaBus({ ...config.kafka, logger });
}
