import { ConfigResourceTypes, Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil, until } from '../until';
import { startKafkaCluster, type KafkaClusterHandle } from './kafka-cluster';
import { kafkaClusterBrokerIds, kafkaClusterStatus } from './kafka-cluster-status';
import { readPidFile } from './pid-file';
import { makeTempDir, removeTempDir } from './temp-dir';

const TOPIC = 'spear.engine-cluster-test';

describe('Kafka cluster engine', () => {
  let root: string;
  let cluster: KafkaClusterHandle;
  let kafka: Kafka;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  /**
   * The broker ids in the metadata, asked until all three are there (30 s): a broker that has just
   * restarted lists itself once it has registered again, and under load one that misses its
   * heartbeats is fenced for a moment (a fresh npm test saw [1, 3] right after start).
   */
  const listedBrokers = () => pollUntil(() => kafkaClusterBrokerIds(cluster.brokers), (ids) => ids?.length === 3, 30_000);

  beforeAll(async () => {
    root = makeTempDir('spear-kafka-cluster-');
    const started = Date.now();
    cluster = await startKafkaCluster({ dir: join(root, 'three') });
    console.info(`kafka cluster of 3 (KRaft combined, 3 controllers) ready in ${Date.now() - started} ms`);
    // kafkajs logs the retried leader changes at ERROR; real failures still reject the awaited calls.
    kafka = new Kafka({ clientId: 'spear-engine-cluster-test', brokers: [...cluster.brokers], logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await cluster?.stop();
    removeTempDir(root);
  });

  it('comes up with every broker in the metadata; a topic gets three replicas and needs two in sync', async () => {
    expect(await listedBrokers()).toEqual([1, 2, 3]);
    // A quick probe (2 s per broker): on a loaded machine a broker's JVM can miss one, so ask until it agrees, and show why not.
    const status = await pollUntil(() => kafkaClusterStatus(cluster.brokers), (s) => s.up, 30_000);
    expect(status, status.detail).toMatchObject({ up: true });
    const admin = kafka.admin();
    await admin.connect();
    try {
      // No replication factor given: the cluster's default applies.
      // Not waitForLeaders: kafkajs gives up when a broker that has not yet learnt of the new
      // topic calls it unknown; the metadata is polled instead.
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: false });
      const replicas = await pollUntil(
        async () => (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0]!.partitions[0]!,
        (partition) => partition.leader >= 1 && partition.replicas.length === 3,
        15_000,
      ).then((partition) => partition.replicas);
      expect(replicas.sort()).toEqual([1, 2, 3]);
      // describeConfigs asks a broker of kafkajs' choosing, which may not know the topic yet either.
      const minInSync = await pollUntil(
        async () => {
          const resource = { type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ['min.insync.replicas'] };
          const described = await admin.describeConfigs({ includeSynonyms: false, resources: [resource] });
          return described.resources[0]!.configEntries.find((entry) => entry.configName === 'min.insync.replicas')?.configValue;
        },
        (value) => value !== undefined,
        15_000,
      );
      expect(minInSync).toBe('2');
    } finally {
      await admin.disconnect();
    }
  });

  it('acks=-1 writes go on, and reach a consumer group, with the partition leader killed', async () => {
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const send = (from: number) =>
      producer!.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ key: 'spear', value: String(from + i) })) });
    await send(0);

    // The group joins while all three run, so its offsets topic is made with three replicas.
    consumer = kafka.consumer({ groupId: 'spear-engine-cluster-test' });
    const received: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    void consumer.run({ eachMessage: async ({ message }) => void received.push(message.value?.toString() ?? '') });
    await until(() => received.length >= 10, 30_000, 'consuming the first 10 messages');

    const admin = kafka.admin();
    await admin.connect();
    const leader = (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0]!.partitions[0]!.leader;
    await admin.disconnect();
    const killedAt = Date.now();
    await cluster.kill(leader);
    await send(10);
    console.info(`kafka cluster: first acks=-1 write after killing the partition leader acked in ${Date.now() - killedAt} ms`);
    await send(20);
    // At least once: a batch whose offsets were not committed before the crash may come twice.
    const firstSeen = () => [...new Set(received)];
    await until(() => firstSeen().length >= 30, 30_000, 'consuming all 30 messages');
    expect(firstSeen()).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));

    await cluster.restart(leader);
    expect(await listedBrokers()).toEqual([1, 2, 3]);
  });

  it('refuses a bad shape before starting anything', async () => {
    await expect(startKafkaCluster({ dir: join(root, 'bad'), brokers: 2 })).rejects.toThrow(/brokers must be an integer from 3/);
    await expect(startKafkaCluster({ dir: join(root, 'bad'), ports: [1, 2, 3], controllerPorts: [3, 4, 5] })).rejects.toThrow(/port 3 is given for two purposes/);
    await expect(cluster.kill(4)).rejects.toThrow(/no node 4/);
  });

  it('stop() ends every node and leaves no pid file', async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    [consumer, producer] = [undefined, undefined];
    await cluster.stop();
    expect(await kafkaClusterBrokerIds(cluster.brokers, 1_000)).toBeNull();
    for (const node of cluster.nodes) expect(readPidFile(node.dir, 'kafka')).toBeNull();
  });
});
