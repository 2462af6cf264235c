import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '@spear/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformaticKafkaBus } from './platformatic-kafka-bus';
import { platformaticSecurityOptions } from './platformatic-kafka-security';

let dir: string;

beforeAll(() => {
  dir = makeTempDir('spear-bus-platformatic-tls-');
});

afterAll(() => {
  if (dir) removeTempDir(dir);
});

describe('platformaticSecurityOptions', () => {
  it('maps each SASL mechanism to the client name and leaves a plaintext section plaintext', () => {
    expect(platformaticSecurityOptions({})).toEqual({});
    expect(platformaticSecurityOptions({ tls: false })).toEqual({});
    for (const [mechanism, mapped] of [['scram-sha-256', 'SCRAM-SHA-256'], ['scram-sha-512', 'SCRAM-SHA-512'], ['plain', 'PLAIN']] as const) {
      expect(platformaticSecurityOptions({ sasl: { mechanism, username: 'u', password: 'p' } })).toEqual({ sasl: { mechanism: mapped, username: 'u', password: 'p' } });
    }
  });

  it('maps TLS to Node options, setting only the fields given', () => {
    // `true`: an empty object keeps Node's defaults (system CAs, certificate checks, the host's name).
    expect(platformaticSecurityOptions({ tls: true })).toEqual({ tls: {} });
    expect(platformaticSecurityOptions({ tls: {} })).toEqual({ tls: { rejectUnauthorized: true } });
    expect(platformaticSecurityOptions({ tls: { rejectUnauthorized: false, servername: 'kafka.test' } })).toEqual({ tls: { rejectUnauthorized: false, servername: 'kafka.test' } });
  });

  it('refuses what it cannot map and a CA file it cannot read, naming the field', () => {
    const sasl = { mechanism: 'gssapi', username: 'u', password: 'secret-pw' } as never;
    expect(() => platformaticSecurityOptions({ sasl })).toThrow('kafka.sasl.mechanism: "gssapi" is not supported by @platformatic/kafka');
    const notPem = join(dir, 'not-pem.txt');
    writeFileSync(notPem, 'hello');
    expect(() => platformaticSecurityOptions({ tls: { caFile: notPem } })).toThrow(`kafka.tls.caFile: ${notPem} holds no PEM certificate`);
    // The bus reads it when made, so a bad CA file stops a service at boot.
    expect(() => new PlatformaticKafkaBus({ brokers: ['127.0.0.1:1'], tls: { caFile: join(dir, 'missing.pem') } })).toThrow(/kafka\.tls\.caFile: cannot read/);
  });
});
