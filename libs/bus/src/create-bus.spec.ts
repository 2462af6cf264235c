import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createBus, KafkaBus, RedisBus } from './index';

/** Nothing listens there; createBus must not connect. */
const URL = 'redis://127.0.0.1:1';

describe('createBus', () => {
  // A pino logger (what services pass) must fit BusLogger; this file would not typecheck otherwise.
  const logger = pino({ level: 'silent' });

  it('makes the configured bus without connecting', async () => {
    const redis = createBus({ bus: 'redis', redis: { url: URL }, logger });
    expect(redis).toBeInstanceOf(RedisBus);
    const kafka = createBus({ bus: 'kafka', redis: { url: URL }, kafka: { brokers: ['127.0.0.1:1'] }, logger });
    expect(kafka).toBeInstanceOf(KafkaBus);
    await Promise.all([redis.close(), kafka.close()]);
  });

  it('needs a kafka section for the kafka bus', () => {
    expect(() => createBus({ bus: 'kafka', redis: { url: URL } })).toThrow(/kafka section/);
    expect(() => createBus({ bus: 'kafka', redis: { url: URL }, kafka: null })).toThrow(/kafka section/);
  });
});
