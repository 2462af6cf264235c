import type { SASLOptions } from 'kafkajs';

/**
 * A SCRAM user for a test broker's SASL_PLAINTEXT listener. The mechanism is
 * spelled as kafkajs and Spear's `kafka.sasl` config spell it, so a test can
 * hand the same object to the broker and to its clients.
 */
export interface KafkaScramUser {
  mechanism: 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

/**
 * Names and passwords go into a JAAS line and the storage tool's
 * `name=...,password=...` list unquoted: characters that would end either are refused.
 */
const SAFE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Throws, naming the field, when the user cannot be written into the broker's config. */
export function checkScramUser(user: KafkaScramUser): void {
  if (user.mechanism !== 'scram-sha-256' && user.mechanism !== 'scram-sha-512') {
    throw new Error(`startKafka: sasl.mechanism must be scram-sha-256 or scram-sha-512, not "${String(user.mechanism)}"`);
  }
  // The values themselves stay out of the message: one of them is a password.
  if (!SAFE.test(user.username)) throw new Error('startKafka: sasl.username must be 1-64 characters of [A-Za-z0-9_.-]');
  if (!SAFE.test(user.password)) throw new Error('startKafka: sasl.password must be 1-64 characters of [A-Za-z0-9_.-]');
}

/** "SCRAM-SHA-256" or "SCRAM-SHA-512": the broker's name for the mechanism. */
export function brokerMechanism(user: KafkaScramUser): string {
  return user.mechanism.toUpperCase();
}

/** The storage tool's `--add-scram` value that creates the user in the KRaft metadata at format time. */
export function addScramArgument(user: KafkaScramUser): string {
  return `${brokerMechanism(user)}=[name=${user.username},password=${user.password}]`;
}

/** kafkajs's `sasl` option for the user (its types keep the two mechanisms apart). */
export function kafkajsSasl({ mechanism, username, password }: KafkaScramUser): SASLOptions {
  return mechanism === 'scram-sha-256' ? { mechanism, username, password } : { mechanism, username, password };
}
