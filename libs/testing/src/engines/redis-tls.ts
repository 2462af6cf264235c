import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** A PEM certificate and its key, for startRedis's `tls`; the certificate is its own CA (a client's `caFile`). */
export interface RedisCertificate {
  certFile: string;
  keyFile: string;
}

/**
 * Makes a self-signed certificate (EC P-256, valid one day) for 127.0.0.1
 * and `redis.test` in `dir` with `openssl`, as a test's CA and its server's
 * certificate at once. Throws with openssl's own words when it fails.
 */
export function makeRedisCertificate(dir: string, name = 'redis.test'): RedisCertificate {
  mkdirSync(dir, { recursive: true });
  const certFile = join(dir, `${name}.crt.pem`);
  const keyFile = join(dir, `${name}.key.pem`);
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name},IP:127.0.0.1`,
      '-keyout', keyFile, '-out', certFile,
    ], { stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`makeRedisCertificate: openssl failed: ${stderr || (error as Error).message}`, { cause: error });
  }
  return { certFile, keyFile };
}
