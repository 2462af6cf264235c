import { Admin, Consumer, Producer, stringDeserializers, stringSerializers, type BaseOptions } from '@platformatic/kafka';
import type { KafkaSecurity } from './kafka-security';
import { platformaticSecurityOptions } from './platformatic-kafka-security';

/** What every @platformatic/kafka client of one bus shares. */
export interface PlatformaticClientSetup {
  brokers: string[];
  clientId: string;
  /** SASL and TLS, as the `kafka` config section states them. */
  security: KafkaSecurity;
}

/** Producers of this bus: string values and headers (the envelope codec's JSON). */
export type BusProducer = Producer<string, string, string, string>;
/** Consumers of this bus: string values and headers. */
export type BusConsumer = Consumer<string, string, string, string>;

/** Same as the kafkajs clients (kafka-clients.ts): a dead partition leader is noticed within seconds. */
const METADATA_MAX_AGE_MS = 3_000;
/** A bounded retry budget per request (about 3 s of backoff): while Kafka is down, calls fail rather than pile up. */
const RETRIES = 5;

/** 100, 200, 400, 800, 1000 ms: the same backoff as the kafkajs clients'. */
function retryDelay(_client: unknown, _operation: string, attempt: number): number {
  return Math.min(100 * 2 ** (attempt - 1), 1_000);
}

/**
 * Options every client of the bus gets. Throws (naming the field) when a CA
 * file cannot be read or a security setting cannot be mapped.
 */
export function baseOptions({ brokers, clientId, security }: PlatformaticClientSetup): BaseOptions {
  return {
    clientId,
    bootstrapBrokers: brokers,
    ...platformaticSecurityOptions(security),
    metadataMaxAge: METADATA_MAX_AGE_MS,
    retries: RETRIES,
    retryDelay,
    // Topics are created by PlatformaticTopics with one partition, never by a metadata request.
    autocreateTopics: false,
  };
}

/**
 * Idempotent (no duplicates or reordering when a request is retried), which
 * in this client means one request in flight per broker and acks from all
 * in-sync replicas. A producer left out of sequence by a leader change gets
 * a new producer id from the client itself.
 */
export function createProducer(base: BaseOptions): BusProducer {
  // The client's idempotent default is to retry forever; `retries` above 1 keeps the bounded budget.
  return new Producer({ ...base, idempotent: true, serializers: stringSerializers });
}

/**
 * A node's consumer in its own group, on the kafkajs consumer's timings: a
 * crashed node is replaced in its group after 10 s, heartbeats every 3 s,
 * and an idle fetch waits at most 1 s (data is returned as soon as it arrives).
 */
export function createConsumer(base: BaseOptions, groupId: string): BusConsumer {
  return new Consumer({
    ...base,
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 3_000,
    maxWaitTime: 1_000,
    deserializers: stringDeserializers,
  });
}

/** The admin client: topics, group offsets, partition ends. */
export function createAdmin(base: BaseOptions): Admin {
  return new Admin(base);
}
