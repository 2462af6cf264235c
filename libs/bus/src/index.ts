// Public API of @spear/bus: how spear nodes hand envelopes to each other.
export type { Bus, Envelope } from './bus';
export { createBus, type BusConfig } from './create-bus';
export { KafkaBus, type KafkaBusOptions } from './kafka-bus';
export { kafkaSecurityOptions, type KafkaSasl, type KafkaSecurity, type KafkaTls } from './kafka-security';
export { RedisBus, type RedisBusOptions } from './redis-bus';
export type { BusLogger } from './logger';
