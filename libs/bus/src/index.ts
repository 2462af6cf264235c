// Public API of @spear/bus: how spear nodes hand envelopes to each other.
export type { Bus, Envelope } from './bus';
export { createBus, KAFKA_CLIENTS, type BusConfig, type KafkaClientName } from './create-bus';
export { KafkaBus, type KafkaBusOptions } from './kafka-bus';
export { PlatformaticKafkaBus } from './platformatic-kafka-bus';
export { kafkaSecurityOptions, type KafkaSasl, type KafkaSecurity, type KafkaTls } from './kafka-security';
export { RedisBus, type RedisBusOptions } from './redis-bus';
export { nodeChannelPrefix } from './redis-channels';
export { loggableRedisUrl, redisAccessProblem, redisConnectionOptions, REDIS_PASSWORD_MISSING, type RedisConnectionOptions, type RedisEndpoint, type RedisTls } from './redis-security';
export { boundWaitWhileDown } from './cluster-outage-bound';
export { guardRedisClient } from './redis-client-guard';
export { batchTurns } from './turn-batching';
export { clusterStartNodes, createClusterClient, guardClusterNodes, isClusterClient, masterConnectionFor, shardedPipeline, slotGroups, type ClusterNodeOptions, type RedisClient } from './redis-client';
export type { BusLogger } from './logger';
