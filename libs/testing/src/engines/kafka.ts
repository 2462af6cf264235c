import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { engineHandle } from './engine-handle';
import { assertPortFree, freePort } from './free-port';
import { writeKafkaLog4j, writeKafkaServerProperties, type KafkaClusterMember } from './kafka-config';
import { checkScramUser, type KafkaScramUser } from './kafka-sasl';
import { kafkaListTopics } from './kafka-status';
import { formatKafkaStorage, isKafkaStorageFormatted } from './kafka-storage';
import { javaBin, kafkaClasspath } from './paths';
import { consoleFile, spawnEngine } from './spawn-engine';
import { waitReady } from './wait-ready';
import type { EngineHandle, StartEngineOptions } from './types';

/** Options for {@link startKafka}. */
export interface KafkaOptions extends StartEngineOptions {
  /** KRaft controller listener port; a free one is picked when omitted. */
  controllerPort?: number;
  /**
   * The client listener takes SASL/SCRAM (SASL_PLAINTEXT) and knows this one
   * user, created when the storage is formatted. A restart on the same `dir`
   * must pass the same user: the credential lives in the formatted metadata.
   */
  sasl?: KafkaScramUser;
  /**
   * Start as this member of a cluster (its controller port is its entry's in
   * `voters`), its storage formatted with the cluster's `clusterId`. Ready once
   * it answers metadata, which needs a majority of the controllers running:
   * start the members together. Not with `sasl`.
   */
  cluster?: KafkaClusterMember & { clusterId: string };
  /** The JVM's largest heap, e.g. '384m'. Default '512m'. */
  maxHeap?: string;
}

/** A running Kafka node. */
export interface KafkaHandle extends EngineHandle {
  readonly controllerPort: number;
  /** ["127.0.0.1:port"], for kafkajs. */
  readonly brokers: string[];
  /** The user clients must authenticate as, when started with `sasl`. */
  readonly sasl?: KafkaScramUser;
  /**
   * The JVM's stop-the-world pauses (GCs and other safepoints), one line each,
   * stamped with epoch milliseconds (`-Xlog:gc,safepoint`, decorator
   * `timemillis`): what a bench lines up with its latencies.
   */
  readonly pauseLogFile: string;
  /** SIGKILL, as a crash: no controlled shutdown; resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * Starts Apache Kafka 3.9 in KRaft combined mode (broker + controller, one node) on
 * 127.0.0.1 with data, config and `kafka.log` in `dir`, formatting the storage on the
 * first start; with `sasl`, clients must authenticate as that SCRAM user. Needs the jars from scripts/install-engines.sh. Resolves once a kafkajs
 * admin client lists topics; default timeout 60 s.
 */
export async function startKafka(options: KafkaOptions): Promise<KafkaHandle> {
  const { dir, detached = false, startTimeoutMs = 60_000, sasl, cluster, maxHeap = '512m' } = options;
  if (sasl) checkScramUser(sasl);
  // SCRAM between brokers of a cluster is untested here: refuse rather than half-work.
  if (sasl && cluster) throw new Error('startKafka: sasl and cluster cannot be combined yet');
  const voter = cluster?.voters.find(({ id }) => id === cluster.nodeId);
  if (cluster && !voter) throw new Error(`startKafka: node ${cluster.nodeId} is not among the cluster's voters`);
  if (!/^[1-9]\d*[mg]$/.test(maxHeap)) throw new Error(`startKafka: maxHeap must look like '384m' or '1g', got '${maxHeap}'`);
  const classpath = kafkaClasspath();
  const port = options.port ?? (await freePort());
  let controllerPort = voter?.controllerPort ?? options.controllerPort ?? (await freePort());
  // Two free-port probes can return the same port (each closes before the next opens).
  while (controllerPort === port) controllerPort = await freePort();
  await assertPortFree(port, 'Kafka');
  await assertPortFree(controllerPort, 'Kafka controller');
  mkdirSync(dir, { recursive: true });

  const logFile = join(dir, 'kafka.log');
  const pauseLogFile = join(dir, 'jvm-pauses.log');
  const config = { dir, port, controllerPort, logFile, sasl, cluster };
  const serverProperties = writeKafkaServerProperties(config);
  const log4j = writeKafkaLog4j(config);
  if (!isKafkaStorageFormatted(dir)) await formatKafkaStorage(dir, classpath, serverProperties, log4j, sasl, cluster?.clusterId);

  const child = await spawnEngine({
    engine: 'kafka',
    command: javaBin(),
    args: [
      '-Xms128m',
      `-Xmx${maxHeap}`,
      // Quoted: a path may hold the colons and commas -Xlog separates its fields with.
      `-Xlog:gc,safepoint:file="${pauseLogFile}":timemillis`,
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${log4j}`,
      `-Dkafka.logs.dir=${dir}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      serverProperties,
    ],
    dir,
    detached,
  });
  const brokers = [`127.0.0.1:${port}`];
  const handle = engineHandle(child, { engine: 'kafka', port, dir, logFile, stopTimeoutMs: 20_000 });
  await waitReady({
    what: `Kafka on 127.0.0.1:${port}`,
    child,
    probe: async () => (await kafkaListTopics(brokers, 2_000, sasl)) !== null,
    timeoutMs: startTimeoutMs,
    logFiles: [logFile, consoleFile(dir, 'kafka')],
    cleanup: handle.stop,
    intervalMs: 250,
  });
  return {
    ...handle,
    controllerPort,
    brokers,
    pauseLogFile,
    ...(sasl ? { sasl } : {}),
    kill: () => {
      child.kill('SIGKILL');
      return handle.stop();
    },
  };
}
