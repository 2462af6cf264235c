import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { makeTempDir, removeTempDir } from '@spear/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from './create-bus';
import { KafkaBus } from './kafka-bus';
import { kafkaSecurityOptions } from './kafka-security';
import { broadcast } from './test-support/envelopes';
import { openTcpSockets } from './test-support/open-sockets';

let dir: string;
let caFile: string;

beforeAll(() => {
  dir = makeTempDir('spear-bus-kafka-tls-');
  caFile = join(dir, 'cert.pem');
  // A self-signed certificate for 127.0.0.1 and kafka.test: the test's CA and its server's certificate at once.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=kafka.test', '-addext', 'subjectAltName=DNS:kafka.test,IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', caFile,
  ], { stdio: 'pipe' });
});

afterAll(() => {
  if (dir) removeTempDir(dir);
});

describe('kafkaSecurityOptions', () => {
  const sasl = { mechanism: 'scram-sha-256', username: 'spear', password: 'a-password' } as const;

  it('passes SASL through and leaves a plaintext section plaintext', () => {
    expect(kafkaSecurityOptions({})).toEqual({});
    expect(kafkaSecurityOptions({ tls: false })).toEqual({});
    expect(kafkaSecurityOptions({ sasl })).toEqual({ sasl });
    expect(kafkaSecurityOptions({ sasl, tls: true })).toEqual({ sasl, ssl: true });
  });

  it('reads the CA file, checks certificates unless told not to, and sets only the fields given', () => {
    expect(kafkaSecurityOptions({ tls: { caFile } })).toEqual({ ssl: { rejectUnauthorized: true, ca: [readFileSync(caFile, 'utf8')] } });
    // No servername key at all when none is set: the socket's default (the broker's host name) must stay.
    expect(kafkaSecurityOptions({ tls: {} }).ssl).toEqual({ rejectUnauthorized: true });
    expect(kafkaSecurityOptions({ tls: { rejectUnauthorized: false, servername: 'kafka.test' } }).ssl).toEqual({ rejectUnauthorized: false, servername: 'kafka.test' });
  });

  it('names the field and the path of a CA file that cannot be read or is no PEM certificate', () => {
    const missing = join(dir, 'no-such-ca.pem');
    expect(() => kafkaSecurityOptions({ tls: { caFile: missing } })).toThrow(`kafka.tls.caFile: cannot read ${missing}: ENOENT`);
    const notPem = join(dir, 'not-pem.txt');
    writeFileSync(notPem, 'hello');
    expect(() => kafkaSecurityOptions({ tls: { caFile: notPem } })).toThrow(`kafka.tls.caFile: ${notPem} holds no PEM certificate`);
    // createBus takes the config's kafka section as it is, so a bad CA file stops a service at boot.
    expect(() => createBus({ bus: 'kafka', redis: { url: 'redis://127.0.0.1:1' }, kafka: { brokers: ['127.0.0.1:1'], tls: { caFile: missing } } })).toThrow(/kafka\.tls\.caFile: cannot read/);
  });
});

describe('KafkaBus over TLS', () => {
  /** A TLS listener standing in for a broker: it records each handshake's outcome, then hangs up. */
  async function tlsListener() {
    const handshakes: Array<{ servername: string | false | null }> = [];
    const refusals: string[] = [];
    const server = tls.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(caFile) }, (socket) => {
      handshakes.push({ servername: socket.servername });
      socket.destroy();
    });
    server.on('tlsClientError', (error) => refusals.push(error.message));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { brokers: [`127.0.0.1:${port}`], handshakes, refusals, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  /** Publishes once (it fails: no Kafka speaks there) and returns why. */
  async function publishFailure(bus: KafkaBus): Promise<string> {
    try {
      await bus.publishBroadcast(broadcast('x'));
    } catch (error) {
      return (error as Error).message;
    } finally {
      await bus.close();
    }
    throw new Error('publish succeeded');
  }

  it('trusts the broker through the configured CA file, with the configured server name', async () => {
    const before = openTcpSockets();
    const listener = await tlsListener();
    try {
      await publishFailure(new KafkaBus({ brokers: listener.brokers, tls: { caFile }, publishTimeoutMs: 2_000 }));
      expect(listener.handshakes.length).toBeGreaterThan(0);
      // The broker's address is an IP: no SNI unless a servername is configured.
      expect(listener.handshakes[0]!.servername).toBe(false);

      listener.handshakes.length = 0;
      await publishFailure(new KafkaBus({ brokers: listener.brokers, tls: { caFile, servername: 'kafka.test' }, publishTimeoutMs: 2_000 }));
      expect(listener.handshakes[0]?.servername).toBe('kafka.test');
      expect(listener.refusals).toEqual([]);
    } finally {
      await listener.close();
    }
    expect(openTcpSockets()).toBe(before);
  });

  it('refuses a broker whose certificate no trusted CA signed', async () => {
    const listener = await tlsListener();
    const logged: string[] = [];
    const log = (fields: object, message?: string) => logged.push(`${message} ${JSON.stringify(fields)}`);
    const logger = { debug: log, info: log, warn: log, error: log };
    try {
      // kafkajs takes a failed handshake for a connection error and retries it until the publish times out.
      await publishFailure(new KafkaBus({ brokers: listener.brokers, tls: true, publishTimeoutMs: 2_000, logger }));
      expect(logged.join('\n')).toMatch(/self-signed certificate/);
      expect(listener.handshakes).toEqual([]);
      expect(listener.refusals.length).toBeGreaterThan(0);
    } finally {
      await listener.close();
    }
  });
});
