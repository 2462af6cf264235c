import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import { kafkaLogCreator } from './kafka-logging';
import { kafkaSecurityOptions, type KafkaSecurity } from './kafka-security';
import type { KafkaSockets } from './kafka-sockets';
import type { BusLogger } from './logger';

/** What {@link createKafka} needs. */
export interface KafkaClientSetup {
  brokers: string[];
  clientId: string;
  /** SASL and TLS, as the `kafka` config section states them. */
  security: KafkaSecurity;
  logger: BusLogger;
  sockets: KafkaSockets;
  /** True once the bus is closed: kafkajs's complaints about its connections closing are expected then. */
  closed: () => boolean;
}

/**
 * The kafkajs client, logging to the bus logger, on sockets the bus can
 * close, with the configured SASL and TLS. Throws when a CA file cannot be read.
 */
export function createKafka({ brokers, clientId, security, logger, sockets, closed }: KafkaClientSetup): Kafka {
  return new Kafka({
    clientId,
    brokers,
    ...kafkaSecurityOptions(security),
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger, closed),
    socketFactory: sockets.factory,
  });
}

/** How old kafkajs's view of the partition leaders may get: a metadata request per client this often, found a new leader that fast. */
const METADATA_MAX_AGE_MS = 3_000;

/**
 * Idempotent (no duplicates or reordering when kafkajs retries a request),
 * one request in flight, acks=all (set per send).
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // Partition leaders move when a broker dies (another in-sync replica leads); kafkajs keeps sending to the
    // dead leader until its metadata is refreshed, by default every 5 minutes. Seconds, so a broker's death costs seconds.
    metadataMaxAge: METADATA_MAX_AGE_MS,
    // Topics are created by KafkaTopics with one partition, not by the broker's defaults.
    allowAutoTopicCreation: false,
    // A bounded budget (about 3 s of backoff) instead of the idempotent default of retrying forever:
    // while Kafka is down, publishes must fail rather than pile up in memory.
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
    // Our topics have one partition, so the partitioner never matters; naming one silences kafkajs's
    // warning about its v2 default.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/**
 * A node's consumer in its own group. kafkajs restarts a consumer that
 * crashed (e.g. while Kafka is down) on a timer that disconnect() can miss
 * (tulios/kafkajs#1147), so the restart asks `closed()` first.
 */
export function createConsumer(kafka: Kafka, groupId: string, closed: () => boolean): Consumer {
  return kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    metadataMaxAge: METADATA_MAX_AGE_MS,
    retry: { retries: 5, restartOnFailure: async () => !closed() },
    // A node that crashed is replaced in its group after 10 s rather than the default 30 s;
    // its restart waits that long to join.
    sessionTimeout: 10_000,
    heartbeatInterval: 3_000,
    // Long-poll length when idle (data is returned as soon as it arrives); shorter makes close() quicker.
    maxWaitTimeInMs: 1_000,
  });
}
