import { randomBytes } from 'node:crypto';
import { makeTempDir, removeTempDir, sleep, startKafka, type KafkaHandle } from '@spear/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaSasl } from './kafka-security';
import { PlatformaticKafkaBus } from './platformatic-kafka-bus';
import { describeBusContract } from './test-support/bus-contract';
import { broadcast, message } from './test-support/envelopes';
import { openTcpSockets } from './test-support/open-sockets';

// A broker whose only client listener is SASL_PLAINTEXT with SCRAM-SHA-512, knowing one user.
let dir: string;
let kafka: KafkaHandle;
let user: KafkaSasl;

beforeAll(async () => {
  dir = makeTempDir('spear-bus-platformatic-sasl-');
  kafka = await startKafka({ dir, sasl: { mechanism: 'scram-sha-512', username: 'spear-bus', password: randomBytes(12).toString('hex') } });
  user = kafka.sasl!;
});

afterAll(async () => {
  await kafka?.stop();
  if (dir) removeTempDir(dir);
});

describeBusContract('PlatformaticKafkaBus over SASL/SCRAM', (topicPrefix) => new PlatformaticKafkaBus({ brokers: kafka.brokers, sasl: user, topicPrefix }));

describe('PlatformaticKafkaBus against a SASL listener', () => {
  it('the wrong password fails a directed publish and a broadcast, naming the refused login and no password', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const bus = new PlatformaticKafkaBus({ brokers: kafka.brokers, sasl: { ...user, password: wrong }, topicPrefix: 'refused-publish', publishTimeoutMs: 15_000, publishWaitMs: 15_000 });
    try {
      const failures = await Promise.all([bus.publishToNodes(['B'], message('never')), bus.publishBroadcast(broadcast('never'))].map((p) => p.then(() => new Error('resolved'), (error: unknown) => error as Error)));
      for (const failure of failures) {
        expect(failure.message).toMatch(/^PlatformaticKafkaBus: publish failed: SASL authentication failed/);
        expect(failure.message).not.toContain(wrong);
      }
    } finally {
      await bus.close();
    }
    // The client retries a refused login five times (~3 s) before it gives up.
  }, 20_000);


  it('the wrong password fails start with an error that repeats no password, and leaves no socket open', async () => {
    const before = openTcpSockets();
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const bus = new PlatformaticKafkaBus({ brokers: kafka.brokers, sasl: { ...user, password: wrong }, topicPrefix: 'refused', startTimeoutMs: 10_000 });
    const began = Date.now();
    const failure = await bus.start('A', () => undefined).then(
      () => new Error('start() resolved'),
      (error: unknown) => error as Error,
    );
    await bus.close();
    expect(failure.message).toMatch(/^PlatformaticKafkaBus: cannot start: SASL authentication failed/);
    expect(Date.now() - began, 'refused before the start timeout').toBeLessThan(10_000);
    expect(JSON.stringify({ message: failure.message, cause: String(failure.cause) })).not.toContain(wrong);
    // The client half-closes a refused connection (socket.end()) and lets the broker finish closing it,
    // so its socket can outlive close() by a moment; KafkaBus destroys its own sockets instead.
    for (const until = Date.now() + 2_000; openTcpSockets() !== before && Date.now() < until; ) await sleep(20);
    expect(openTcpSockets()).toBe(before);
  });
});
