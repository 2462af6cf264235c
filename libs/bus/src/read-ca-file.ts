import { readFileSync } from 'node:fs';
import { errorMessage } from './logger';

/**
 * The PEM text of a CA file named by the config field `field` (e.g.
 * "redis.tls.caFile"), read when a client is made. Throws an error naming
 * the field and the path (never a secret) when it cannot be read or holds
 * no certificate: Node would take any text and fail every handshake later
 * with a vaguer message.
 */
export function readCaFile(field: string, path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${field}: cannot read ${path}: ${errorMessage(error)}`, { cause: error });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`${field}: ${path} holds no PEM certificate`);
  return pem;
}
