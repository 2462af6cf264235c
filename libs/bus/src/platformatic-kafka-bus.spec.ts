import { makeTempDir, removeTempDir, sleep, startKafka, type KafkaHandle } from '@spear/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PlatformaticKafkaBus } from './platformatic-kafka-bus';
import { describeBusContract } from './test-support/bus-contract';
import { broadcast, message } from './test-support/envelopes';
import { Inbox } from './test-support/inbox';
import { openTcpSockets } from './test-support/open-sockets';

let dir: string;
let kafka: KafkaHandle;

beforeAll(async () => {
  dir = makeTempDir('spear-bus-platformatic-');
  kafka = await startKafka({ dir });
});

afterAll(async () => {
  await kafka?.stop();
  if (dir) removeTempDir(dir);
});

describeBusContract('PlatformaticKafkaBus', (topicPrefix) => new PlatformaticKafkaBus({ brokers: kafka.brokers, topicPrefix }));

describe('PlatformaticKafkaBus durability', () => {
  const buses: PlatformaticKafkaBus[] = [];

  async function node(topicPrefix: string, nodeId: string, inbox: Inbox): Promise<PlatformaticKafkaBus> {
    const bus = new PlatformaticKafkaBus({ brokers: kafka.brokers, topicPrefix });
    buses.push(bus);
    await bus.start(nodeId, inbox.receive);
    return bus;
  }

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  it('a node restarted with the same id resumes from its committed offsets', async () => {
    const prefix = 'resume';
    const a = await node(prefix, 'A', new Inbox());
    const first = new Inbox();
    const b = await node(prefix, 'B', first);
    await a.publishToNodes(['B'], message('before'));
    await first.waitFor('before');
    await b.close();

    await a.publishToNodes(['B'], message('while-down-1'));
    await a.publishBroadcast(broadcast('while-down-broadcast'));
    await a.publishToNodes(['B'], message('while-down-2'));

    const second = new Inbox();
    await node(prefix, 'B', second);
    await second.waitForCount(3);
    await a.publishToNodes(['B'], message('after'));
    await second.waitFor('after');
    await sleep(300);
    expect(second.ids().sort()).toEqual(['after', 'while-down-1', 'while-down-2', 'while-down-broadcast']);
  });

  it('a node that stopped before receiving anything still gets what was published while it was down', async () => {
    // The start position is committed during start(), not by the first received envelope.
    const prefix = 'pinned';
    const a = await node(prefix, 'A', new Inbox());
    const b = await node(prefix, 'B', new Inbox());
    await b.close();
    await a.publishToNodes(['B'], message('while-down'));
    const second = new Inbox();
    await node(prefix, 'B', second);
    await second.waitFor('while-down');
  });

  it('rejects node ids Kafka cannot name a topic after', async () => {
    const bus = new PlatformaticKafkaBus({ brokers: kafka.brokers });
    await expect(bus.start('host:1234', () => undefined)).rejects.toThrow(/node id "host:1234"/);
    await expect(bus.publishToNodes(['host:1234'], message('x'))).rejects.toThrow(/node id "host:1234"/);
  });

  it('close() after a failed start leaves no sockets open', async () => {
    const before = openTcpSockets();
    const bus = new PlatformaticKafkaBus({ brokers: ['127.0.0.1:1'], startTimeoutMs: 2_000 });
    await expect(bus.start('A', () => undefined)).rejects.toThrow(/PlatformaticKafkaBus: cannot start/);
    expect(openTcpSockets()).toBe(before);
  }, 120_000);
});

// Last in the file: it restarts the broker the tests above share.
describe('PlatformaticKafkaBus across a Kafka restart', () => {
  it('rejects publishes while Kafka is down, delivers again after it returns, and closes cleanly', async () => {
    const before = openTcpSockets();
    const inbox = new Inbox();
    const a = new PlatformaticKafkaBus({ brokers: kafka.brokers, topicPrefix: 'outage', publishTimeoutMs: 2_000 });
    const b = new PlatformaticKafkaBus({ brokers: kafka.brokers, topicPrefix: 'outage' });
    try {
      await a.start('A', () => undefined);
      await b.start('B', inbox.receive);
      await a.publishToNodes(['B'], message('before'));
      await inbox.waitFor('before');

      await kafka.stop();
      const stopped = Date.now();
      await expect(a.publishToNodes(['B'], message('while-down'))).rejects.toThrow(/publish failed|timed out/);
      expect(Date.now() - stopped).toBeLessThan(3_000);

      kafka = await startKafka({ dir, port: kafka.port, controllerPort: kafka.controllerPort });
      const back = Date.now();
      for (let attempt = 0; !inbox.ids().some((id) => id.startsWith('after-')); attempt++) {
        expect(Date.now() - back, 'delivery resumes within 30 s').toBeLessThan(30_000);
        await a.publishToNodes(['B'], message(`after-${attempt}`)).catch(() => undefined);
        await sleep(250);
      }
      console.log(`PlatformaticKafkaBus: delivery resumed ${Date.now() - back} ms after Kafka was back`);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(openTcpSockets()).toBe(before);
  }, 120_000);
});
