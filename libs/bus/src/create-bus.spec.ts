import { createServer, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createBus, KafkaBus, PlatformaticKafkaBus, RedisBus } from './index';
import { message } from './test-support/envelopes';

/** Nothing listens there; createBus must not connect. */
const URL = 'redis://127.0.0.1:1';

/** A TCP server that accepts and never answers: a Redis that hangs. */
async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('createBus', () => {
  // A pino logger (what services pass) must fit BusLogger; this file would not typecheck otherwise.
  const logger = pino({ level: 'silent' });

  it('makes the configured bus without connecting', async () => {
    const redis = createBus({ bus: 'redis', redis: { url: URL }, logger });
    expect(redis).toBeInstanceOf(RedisBus);
    const kafka = createBus({ bus: 'kafka', redis: { url: URL }, kafka: { brokers: ['127.0.0.1:1'], client: 'kafkajs' }, logger });
    expect(kafka).toBeInstanceOf(KafkaBus);
    await Promise.all([redis.close(), kafka.close()]);
  });

  it('puts the Kafka bus on the client kafka.client names, @platformatic/kafka when it names none', async () => {
    const kafka = { brokers: ['127.0.0.1:1'] };
    const buses = [
      createBus({ bus: 'kafka', redis: { url: URL }, kafka: { ...kafka, client: 'platformatic' }, logger }),
      createBus({ bus: 'kafka', redis: { url: URL }, kafka: { ...kafka, client: 'kafkajs' }, logger }),
      createBus({ bus: 'kafka', redis: { url: URL }, kafka, logger }),
    ];
    expect(buses[0]).toBeInstanceOf(PlatformaticKafkaBus);
    expect(buses[1]).toBeInstanceOf(KafkaBus);
    expect(buses[2]).toBeInstanceOf(PlatformaticKafkaBus);
    // A caller outside the config's validation still gets a named error, not a silent default.
    expect(() => createBus({ bus: 'kafka', redis: { url: URL }, kafka: { ...kafka, client: 'rdkafka' as 'kafkajs' } })).toThrow(/kafka\.client must be kafkajs or platformatic, got "rdkafka"/);
    await Promise.all(buses.map((bus) => bus.close()));
  });

  it('needs a kafka section for the kafka bus', () => {
    expect(() => createBus({ bus: 'kafka', redis: { url: URL } })).toThrow(/kafka section/);
    expect(() => createBus({ bus: 'kafka', redis: { url: URL }, kafka: null })).toThrow(/kafka section/);
  });

  it('refuses batching options out of range, naming them; a value in the bus section wins', () => {
    expect(() => createBus({ bus: 'redis', redis: { url: URL }, batchWindowMs: 5 })).toThrow(/batchWindowMs/);
    const kafka = { brokers: ['127.0.0.1:1'] };
    expect(() => createBus({ bus: 'kafka', redis: { url: URL }, kafka, publishWaitMs: 0 })).toThrow(/publishWaitMs/);
    expect(() => createBus({ bus: 'redis', redis: { url: URL, batchWindowMs: 1 }, batchWindowMs: 5 })).not.toThrow();
  });

  it('bounds publishToNodes by publishWaitMs even when the engine never answers', async () => {
    const server = await silentServer();
    const bus = createBus({ bus: 'redis', redis: { url: server.url }, publishWaitMs: 50 });
    try {
      const started = Date.now();
      await expect(bus.publishToNodes(['B'], message('1'))).rejects.toThrow(/no answer within 50 ms/);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      // Server first: against a Redis that never answers, close() waits out its QUIT grace.
      await server.close();
      await bus.close();
    }
  });
});
