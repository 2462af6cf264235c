import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, type KafkaHandle } from './kafka';
import { kafkaStatus } from './kafka-status';
import { makeTempDir, removeTempDir } from './temp-dir';
import { until } from '../until';

const COUNT = 100;

describe('Kafka engine', () => {
  let dir: string;
  let broker: KafkaHandle;

  beforeAll(async () => {
    dir = makeTempDir('spear-kafka-');
    broker = await startKafka({ dir });
  });

  afterAll(async () => {
    await broker?.stop();
    removeTempDir(dir);
  });

  it('delivers 100 idempotently produced messages to a consumer group in order', async () => {
    // kafkajs logs retried "coordinator is loading" responses at ERROR while a fresh broker
    // creates its internal topics; real failures still reject the awaited calls below.
    const kafka = new Kafka({ clientId: 'spear-engine-test', brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const topic = 'spear.engine-test';

    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    // Ten batches, so the idempotent producer's sequence numbers advance across requests.
    for (let batch = 0; batch < COUNT / 10; batch++) {
      const messages = Array.from({ length: 10 }, (_, i) => ({ key: 'spear', value: String(batch * 10 + i) }));
      await producer.send({ topic, acks: -1, messages });
    }
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'spear-engine-test' });
    const received: string[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value?.toString() ?? '');
        },
      });
      await until(() => received.length >= COUNT, 30_000, `consuming ${COUNT} messages`);
    } finally {
      await consumer.disconnect();
    }
    expect(received).toEqual(Array.from({ length: COUNT }, (_, i) => String(i)));
  });

  it('is down after stop()', async () => {
    await broker.stop();
    expect((await kafkaStatus(broker.port, 1_000)).up).toBe(false);
  });
});
