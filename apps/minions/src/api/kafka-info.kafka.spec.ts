import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaBus } from '@spear/bus';
import { makeTempDir, removeTempDir, startKafka, type KafkaHandle } from '@spear/testing';
import { KafkaInfoReader } from './kafka-info';

describe('KafkaInfoReader against a SASL/SCRAM broker', () => {
  let dir: string;
  let kafka: KafkaHandle;
  const readers: KafkaInfoReader[] = [];

  /** A reader as the dashboard makes it from the profile's kafka section. */
  function reader(section: ConstructorParameters<typeof KafkaInfoReader>[0]): KafkaInfoReader {
    const made = new KafkaInfoReader(section, true);
    readers.push(made);
    return made;
  }

  beforeAll(async () => {
    dir = makeTempDir('spear-minions-kafka-');
    kafka = await startKafka({ dir, sasl: { mechanism: 'scram-sha-256', username: 'spear-minions', password: randomBytes(12).toString('hex') } });
    // The bus creates the fanout topic on its first broadcast: something for the dashboard to list.
    const bus = new KafkaBus({ brokers: kafka.brokers, sasl: kafka.sasl });
    try {
      await bus.publishBroadcast({ t: 'broadcast', p: { id: 'probe', body: {}, ts: Date.now() } });
    } finally {
      await bus.close();
    }
    // A Kafka takes seconds to boot: longer than this project's default hook timeout.
  }, 120_000);

  afterAll(async () => {
    await Promise.all(readers.map((r) => r.close()));
    await kafka?.stop();
    if (dir) removeTempDir(dir);
  }, 60_000);

  it('lists the Spear topics with the profile credentials', async () => {
    const info = await reader({ brokers: kafka.brokers, sasl: kafka.sasl }).read();
    expect(info).toMatchObject({ configured: true, bus: true, brokers: kafka.brokers });
    expect(info.configured && info.topics.map((t) => t.topic)).toContain('spear.fanout');
  });

  it('fails, naming neither password, with a wrong password or none', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const failures = await Promise.all(
      [{ brokers: kafka.brokers, sasl: { ...kafka.sasl!, password: wrong } }, { brokers: kafka.brokers }].map((section) =>
        reader(section)
          .read()
          .then(
            () => 'read',
            (error: Error) => error.message,
          ),
      ),
    );
    expect(failures[0]).toMatch(/SASL SCRAM SHA256 authentication failed/);
    expect(failures[1]).not.toBe('read');
    for (const message of failures) {
      expect(message).not.toContain(wrong);
      expect(message).not.toContain(kafka.sasl!.password);
    }
  });
});
