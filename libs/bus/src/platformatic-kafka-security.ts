import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { SASLOptions } from '@platformatic/kafka';
import type { KafkaSasl, KafkaSecurity, KafkaTls } from './kafka-security';
import { readCaFile } from './read-ca-file';

/** @platformatic/kafka's connection options for SASL and TLS. */
export interface PlatformaticSecurityOptions {
  sasl?: SASLOptions;
  tls?: TlsOptions;
}

/** Spear's SASL mechanisms, by the name @platformatic/kafka gives them. */
const MECHANISMS: Record<KafkaSasl['mechanism'], SASLOptions['mechanism']> = {
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
  plain: 'PLAIN',
};

/**
 * The `sasl` and `tls` connection options of @platformatic/kafka for the
 * `kafka.sasl` and `kafka.tls` config sections (see kafka-security.ts), the
 * same settings KafkaBus gives kafkajs. Reads `tls.caFile` now and throws an
 * error naming the field and path (never a secret) when it cannot be read;
 * throws when a setting has no equivalent in this client rather than
 * connecting with less security than configured.
 */
export function platformaticSecurityOptions({ sasl, tls }: KafkaSecurity): PlatformaticSecurityOptions {
  return {
    ...(sasl ? { sasl: saslOptions(sasl) } : {}),
    ...(tls ? { tls: tlsOptions(tls) } : {}),
  };
}

function saslOptions({ mechanism, username, password }: KafkaSasl): SASLOptions {
  const mapped = MECHANISMS[mechanism];
  // The config schema already limits the mechanisms; this guards a caller that bypassed it.
  if (!mapped) throw new Error(`kafka.sasl.mechanism: "${String(mechanism)}" is not supported by @platformatic/kafka`);
  return { mechanism: mapped, username, password };
}

/**
 * Node's TLS options: `true` means the system's CAs and the broker's host
 * name, which is what an empty object gives `tls.connect`. Only fields that
 * are set, so Node's defaults (certificate checks on) stay.
 */
function tlsOptions(tls: Exclude<KafkaTls, false>): TlsOptions {
  if (tls === true) return {};
  const { caFile, rejectUnauthorized = true, servername } = tls;
  return {
    rejectUnauthorized,
    ...(caFile !== undefined ? { ca: [readCaFile('kafka.tls.caFile', caFile)] } : {}),
    ...(servername !== undefined ? { servername } : {}),
  };
}
