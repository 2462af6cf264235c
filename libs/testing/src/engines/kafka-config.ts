import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokerMechanism, type KafkaScramUser } from './kafka-sasl';

/** One node of a KRaft cluster whose every node is broker and controller. */
export interface KafkaClusterMember {
  /** This node's id (1 and up). */
  nodeId: number;
  /** Every node's id and controller port, this one's included: the controller quorum. */
  voters: ReadonlyArray<{ id: number; controllerPort: number }>;
}

/** Ports and folders one KRaft broker uses. */
export interface KafkaConfigInput {
  dir: string;
  port: number;
  controllerPort: number;
  logFile: string;
  /** With a user: clients must authenticate with SCRAM (see {@link listenerLines}). */
  sasl?: KafkaScramUser;
  /** A member of a cluster (see {@link clusterLines}); a single node when omitted. */
  cluster?: KafkaClusterMember;
}

/** Folder holding Kafka's partitions and KRaft metadata (`meta.properties` once formatted). */
export function kafkaDataDir(dir: string): string {
  return join(dir, 'data');
}

/**
 * The client listener on `port` and the controller listener on `controllerPort`.
 * Without `sasl`: both PLAINTEXT. With it: the client listener is
 * SASL_PLAINTEXT taking only the user's SCRAM mechanism, and it is also the
 * inter-broker listener, the broker authenticating as that user (one node:
 * it never fetches from a replica, but Kafka requires the setting to be
 * valid). The controller listener stays PLAINTEXT: it is bound to the
 * loopback address, and in combined mode only this process speaks on it.
 */
function listenerLines({ port, controllerPort, sasl }: KafkaConfigInput): string[] {
  const controller = `CONTROLLER://127.0.0.1:${controllerPort}`;
  if (!sasl) {
    return [
      `listeners=PLAINTEXT://127.0.0.1:${port},${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
    ];
  }
  const mechanism = brokerMechanism(sasl);
  return [
    `listeners=SASL_PLAINTEXT://127.0.0.1:${port},${controller}`,
    `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=SASL_PLAINTEXT',
    `sasl.enabled.mechanisms=${mechanism}`,
    `sasl.mechanism.inter.broker.protocol=${mechanism}`,
    `listener.name.sasl_plaintext.${mechanism.toLowerCase()}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${sasl.username}" password="${sasl.password}";`,
  ];
}

/** One node alone: its own controller quorum, every replication setting at 1. */
function singleNodeLines(controllerPort: number): string[] {
  return [
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'min.insync.replicas=1',
  ];
}

/**
 * A member of a cluster: every topic (the internal ones too) on three
 * replicas (fewer nodes: all of them), and a write acked by all in-sync
 * replicas needs two of them, so one node may die without losing an acked
 * write or refusing one. A dead node is fenced, and its partitions led
 * elsewhere, after 3 s without a heartbeat instead of 9 s.
 */
function clusterLines({ nodeId, voters }: KafkaClusterMember): string[] {
  const replicas = Math.min(3, voters.length);
  const minInSync = Math.min(2, replicas);
  return [
    `node.id=${nodeId}`,
    `controller.quorum.voters=${voters.map(({ id, controllerPort }) => `${id}@127.0.0.1:${controllerPort}`).join(',')}`,
    `default.replication.factor=${replicas}`,
    `offsets.topic.replication.factor=${replicas}`,
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minInSync}`,
    `min.insync.replicas=${minInSync}`,
    'broker.heartbeat.interval.ms=500',
    'broker.session.timeout.ms=3000',
  ];
}

/**
 * Writes `<dir>/server.properties` for one combined broker+controller node (KRaft, no
 * ZooKeeper): alone with every replication setting at 1, or a member of `cluster`;
 * returns its path.
 */
export function writeKafkaServerProperties(input: KafkaConfigInput): string {
  const { dir, controllerPort, cluster } = input;
  const path = join(dir, 'server.properties');
  const lines = [
    'process.roles=broker,controller',
    ...(cluster ? clusterLines(cluster) : singleNodeLines(controllerPort)),
    ...listenerLines(input),
    'controller.listener.names=CONTROLLER',
    `log.dirs=${kafkaDataDir(dir)}`,
    'num.partitions=1',
    'auto.create.topics.enable=true',
    // Test clusters: 50 partitions (the default) for these internal topics only slows the
    // first consumer group join and idempotent producer init.
    'offsets.topic.num.partitions=1',
    'transaction.state.log.num.partitions=1',
    // Consumer groups in tests should start consuming at once, not after 3 s.
    'group.initial.rebalance.delay.ms=0',
    '',
  ];
  writeFileSync(path, lines.join('\n'));
  return path;
}

/** Writes a log4j 1.2 (reload4j) config sending broker logs to `logFile`; returns its path. */
export function writeKafkaLog4j({ dir, logFile }: KafkaConfigInput): string {
  const path = join(dir, 'log4j.properties');
  const lines = [
    'log4j.rootLogger=INFO, FILE',
    'log4j.appender.FILE=org.apache.log4j.FileAppender',
    `log4j.appender.FILE.File=${logFile}`,
    'log4j.appender.FILE.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.FILE.layout.ConversionPattern=[%d] %p %m (%c)%n',
    // These two are chatty at INFO and rarely explain a failure.
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.kafka.request.logger=WARN',
    '',
  ];
  writeFileSync(path, lines.join('\n'));
  return path;
}
