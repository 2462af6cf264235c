import { randomBytes } from 'node:crypto';
import { kafkaListTopics, makeTempDir, removeTempDir, startKafka, type KafkaHandle } from '@spear/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaBus, type KafkaBusOptions } from './kafka-bus';
import type { KafkaSasl } from './kafka-security';
import type { BusLogger } from './logger';
import { describeBusContract } from './test-support/bus-contract';
import { broadcast } from './test-support/envelopes';
import { openTcpSockets } from './test-support/open-sockets';

// A broker whose only client listener is SASL_PLAINTEXT with SCRAM-SHA-512, knowing one user.
let dir: string;
let kafka: KafkaHandle;
let user: KafkaSasl;

beforeAll(async () => {
  dir = makeTempDir('spear-bus-kafka-sasl-');
  kafka = await startKafka({ dir, sasl: { mechanism: 'scram-sha-512', username: 'spear-bus', password: randomBytes(12).toString('hex') } });
  user = kafka.sasl!;
});

afterAll(async () => {
  await kafka?.stop();
  if (dir) removeTempDir(dir);
});

describeBusContract('KafkaBus over SASL/SCRAM', (topicPrefix) => new KafkaBus({ brokers: kafka.brokers, sasl: user, topicPrefix }));

/** Every line a bus logs, fields and message, as one string each. */
function recordingLogger(): { logger: BusLogger; lines: string[] } {
  const lines: string[] = [];
  const log = (fields: object, message?: string) => lines.push(`${message ?? ''} ${JSON.stringify(fields)}`);
  return { logger: { debug: log, info: log, warn: log, error: log }, lines };
}

describe('KafkaBus against a SASL listener', () => {
  async function refusal(options: Partial<KafkaBusOptions>): Promise<{ message: string; ms: number; lines: string[] }> {
    const { logger, lines } = recordingLogger();
    const bus = new KafkaBus({ brokers: kafka.brokers, topicPrefix: 'refused', startTimeoutMs: 10_000, ...options, logger });
    const began = Date.now();
    try {
      await bus.start('A', () => undefined);
    } catch (error) {
      return { message: (error as Error).message, ms: Date.now() - began, lines };
    } finally {
      await bus.close();
    }
    throw new Error('start() resolved');
  }

  it('the wrong password fails start and publish fast with an authentication error that repeats no password', async () => {
    const before = openTcpSockets();
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const { message, ms, lines } = await refusal({ sasl: { ...user, password: wrong } });
    expect(message).toMatch(/^KafkaBus: cannot start: SASL SCRAM SHA512 authentication failed/);
    expect(ms, 'no retrying until the start timeout').toBeLessThan(5_000);
    expect(openTcpSockets()).toBe(before);

    const { logger, lines: publishLines } = recordingLogger();
    const publisher = new KafkaBus({ brokers: kafka.brokers, sasl: { ...user, password: wrong }, topicPrefix: 'refused', logger });
    try {
      await expect(publisher.publishBroadcast(broadcast('never'))).rejects.toThrow(/KafkaBus: publish failed: SASL SCRAM SHA512 authentication failed/);
    } finally {
      await publisher.close();
    }
    const everything = [message, ...lines, ...publishLines].join('\n');
    expect(lines.length, 'kafkajs reported the failure to the bus logger').toBeGreaterThan(0);
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(user.password);
  });

  it('refuses a client that does not authenticate', async () => {
    const { message, ms } = await refusal({});
    // kafkajs sees the broker close the connection at its first unauthenticated request.
    expect(message).toMatch(/^KafkaBus: cannot start: Closed connection/);
    expect(ms, 'no retrying until the start timeout').toBeLessThan(5_000);
    // The same probe with the user's credentials answers: the refusal is SASL's, not a dead broker's.
    expect(await kafkaListTopics(kafka.brokers, 3_000)).toBeNull();
    expect(await kafkaListTopics(kafka.brokers, 3_000, kafka.sasl)).not.toBeNull();
  });
});
