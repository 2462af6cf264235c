import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { readCaFile } from './read-ca-file';

/**
 * How a client proves who it is to the brokers: Spear's `kafka.sasl` config
 * section. The password comes from SPEAR_KAFKA_PASSWORD, never a profile
 * file of a real deployment, and never appears in a log line or an error.
 */
export interface KafkaSasl {
  mechanism: 'scram-sha-256' | 'scram-sha-512' | 'plain';
  username: string;
  password: string;
}

/**
 * TLS to the brokers: Spear's `kafka.tls` config section. `true` (or `{}`)
 * checks the brokers' certificates against the system's CAs; `caFile` (PEM)
 * against that CA instead; `servername` is the name the certificates must
 * carry when it is not the broker's host name; `rejectUnauthorized: false`
 * (tests only) accepts any certificate. `false` or absent: plaintext.
 */
export type KafkaTls = boolean | { caFile?: string; rejectUnauthorized?: boolean; servername?: string };

/** The security settings of every Kafka client Spear makes, in Spear's own shape (not kafkajs's). */
export interface KafkaSecurity {
  sasl?: KafkaSasl;
  tls?: KafkaTls;
}

/**
 * The kafkajs `sasl` and `ssl` options for `security`, for every kafkajs
 * client the project makes (the bus, the minions dashboard), so none
 * connects without them. Reads `tls.caFile` now: throws an error naming the
 * field and the path (never a secret) when it cannot be read.
 */
export function kafkaSecurityOptions({ sasl, tls }: KafkaSecurity): Pick<KafkaConfig, 'sasl' | 'ssl'> {
  return {
    ...(sasl ? { sasl: saslOptions(sasl) } : {}),
    ...(tls ? { ssl: tlsOptions(tls) } : {}),
  };
}

/** kafkajs's `sasl`: its types keep the mechanisms apart, though all three take the same fields. */
function saslOptions({ mechanism, username, password }: KafkaSasl): SASLOptions {
  switch (mechanism) {
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'scram-sha-512':
      return { mechanism, username, password };
    case 'plain':
      return { mechanism, username, password };
  }
}

/** kafkajs's `ssl`: `true`, or Node's TLS options (only the fields that are set, so the socket's defaults stay). */
function tlsOptions(tls: Exclude<KafkaTls, false>): NonNullable<KafkaConfig['ssl']> {
  if (tls === true) return true;
  const { caFile, rejectUnauthorized = true, servername } = tls;
  return {
    rejectUnauthorized,
    ...(caFile !== undefined ? { ca: [readCaFile('kafka.tls.caFile', caFile)] } : {}),
    ...(servername !== undefined ? { servername } : {}),
  };
}

