import { mkdtempSync, rmSync } from 'node:fs';
import { afterEach } from 'vitest';
import { KAFKA_CLIENTS, type KafkaClientName } from '@spear/bus';
import { deepMerge, type AppName } from '@spear/config';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatLogTails,
  launchCluster,
  startKafka,
  startKafkaCluster,
  startRedis,
  startRedisCluster,
  startZooKeeper,
  startZooKeeperEnsemble,
  writeClusterProfile,
  type ClusterHandle,
  type ClusterProfileOptions,
  type EngineAddresses,
  type KafkaClusterHandle,
  type KafkaHandle,
  type RedisClusterHandle,
  type RedisHandle,
  type ZooKeeperEnsembleHandle,
  type ZooKeeperHandle,
} from '@spear/testing';

/**
 * Which engines the beds of this run use (SPEAR_E2E_ENGINES): `single` (one
 * ZooKeeper, one Redis, one Kafka broker; the default) or `clustered` (a
 * ZooKeeper ensemble of three, a Redis Cluster of three masters with a
 * replica each, three Kafka brokers with replication factor 3), the cluster
 * profile of issue #20. A file that reaches into a single engine (stops it,
 * reads its pid or url) runs on `single` only: test/vitest.config.mts lists them.
 */
export const E2E_ENGINES: 'single' | 'clustered' = process.env.SPEAR_E2E_ENGINES === 'clustered' ? 'clustered' : 'single';

/**
 * The client library under the beds' Kafka bus (SPEAR_E2E_KAFKA_CLIENT):
 * `kafkajs` or `platformatic` puts every bed with `bus: 'kafka'` on it
 * (`kafka.client`); unset, the profile's default (@platformatic/kafka).
 */
export const E2E_KAFKA_CLIENT = kafkaClientFromEnv(process.env.SPEAR_E2E_KAFKA_CLIENT);

function kafkaClientFromEnv(raw: string | undefined): KafkaClientName | undefined {
  if (raw === undefined || raw === '') return undefined;
  const client = KAFKA_CLIENTS.find((name) => name === raw);
  if (!client) throw new Error(`SPEAR_E2E_KAFKA_CLIENT must be one of ${KAFKA_CLIENTS.join(', ')}, got ${JSON.stringify(raw)}`);
  return client;
}

/** The clustered engines of a bed of the `clustered` run. */
export interface ClusteredEngines {
  zookeeper: ZooKeeperEnsembleHandle;
  redis: RedisClusterHandle;
  kafka?: KafkaClusterHandle;
}

/** Throwaway engines plus a whole cluster on free ports, for one test file. */
export interface TestBed {
  dir: string;
  zk: ZooKeeperHandle;
  redis: RedisHandle;
  /** Only when the bed runs with bus = kafka. */
  kafka?: KafkaHandle;
  /** Only in the `clustered` run (E2E_ENGINES), where `zk`, `redis` and `kafka` are not there (reading them throws). */
  clustered?: ClusteredEngines;
  profileDir: string;
  cluster: ClusterHandle;
  /** Stops the cluster, then the engines, and removes the folder. */
  close(): Promise<void>;
  /** The last lines of every service's log: printed when a test fails, since close() removes them. */
  logTails(lines?: number): string;
}

export async function startTestBed(options: Partial<Pick<ClusterProfileOptions, 'overrides' | 'spearNodes' | 'bus'>> & { apps?: AppName[]; spearNodeIds?: string[]; redisPersistence?: boolean; spearOpenFiles?: number } = {}): Promise<TestBed> {
  const dir = mkdtempSync(join(tmpdir(), 'spear-e2e-'));
  const { apps, spearNodeIds, spearOpenFiles, redisPersistence: _persistence, ...profileOptions } = options;
  const started = E2E_ENGINES === 'clustered' ? await startClusteredEngines(dir, options.bus === 'kafka') : await startSingleEngines(dir, options);
  const overrides = E2E_KAFKA_CLIENT && options.bus === 'kafka' ? deepMerge(profileOptions.overrides ?? {}, { kafka: { client: E2E_KAFKA_CLIENT } }) : profileOptions.overrides;
  const profileDir = await writeClusterProfile({ dir, engines: started.addresses, ...profileOptions, overrides });
  const cluster = await launchCluster({ profileDir, dir, apps, spearNodeIds, spearOpenFiles });
  const bed = {
    dir,
    ...started.handles,
    profileDir,
    cluster,
    // Reads the fields at close time: a test may have replaced an engine (stopped and restarted it).
    async close() {
      await bed.cluster.stop();
      const { clustered } = bed;
      if (clustered) await Promise.all([clustered.redis.stop(), clustered.zookeeper.stop(), clustered.kafka?.stop()]);
      else await Promise.all([bed.redis.stop(), bed.zk.stop(), bed.kafka?.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
    logTails(lines = 30) {
      return formatLogTails(bed.cluster.services.map((s) => s.logFile), lines);
    },
  } as TestBed;
  if (bed.clustered) forbidSingleEngines(bed);
  return bed;
}

/** In the clustered run, reading a single engine's handle is a mistake of the test's: say so instead of failing on undefined. */
function forbidSingleEngines(bed: TestBed): void {
  for (const field of ['zk', 'redis', 'kafka'] as const) {
    Object.defineProperty(bed, field, {
      get() {
        throw new Error(`bed.${field}: this bed runs on clustered engines (bed.clustered); a file that needs a single engine belongs in SINGLE_ENGINE_FILES (test/vitest.config.mts)`);
      },
    });
  }
}

type StartedEngines = { addresses: EngineAddresses; handles: Partial<Pick<TestBed, 'zk' | 'redis' | 'kafka' | 'clustered'>> };

async function startSingleEngines(dir: string, options: { bus?: 'redis' | 'kafka'; redisPersistence?: boolean }): Promise<StartedEngines> {
  const [zk, redis, kafka] = await Promise.all([
    startZooKeeper({ dir: join(dir, 'zookeeper') }),
    startRedis({ dir: join(dir, 'redis'), persistence: options.redisPersistence }),
    options.bus === 'kafka' ? startKafka({ dir: join(dir, 'kafka') }) : undefined,
  ]);
  return { addresses: { zookeeper: zk.connectString, redisUrl: redis.url, ...(kafka ? { kafkaBrokers: kafka.brokers } : {}) }, handles: { zk, redis, kafka } };
}

async function startClusteredEngines(dir: string, kafka: boolean): Promise<StartedEngines> {
  const [zookeeper, redis, brokers] = await Promise.all([
    startZooKeeperEnsemble({ dir: join(dir, 'zookeeper') }),
    startRedisCluster({ dir: join(dir, 'redis') }),
    kafka ? startKafkaCluster({ dir: join(dir, 'kafka') }) : undefined,
  ]);
  const [url, ...seeds] = redis.seeds;
  const addresses: EngineAddresses = { zookeeper: zookeeper.connectString, redisUrl: url!, redisSeeds: seeds, ...(brokers ? { kafkaBrokers: [...brokers.brokers] } : {}) };
  const handles = { clustered: { zookeeper, redis, ...(brokers ? { kafka: brokers } : {}) } };
  return { addresses, handles };
}

/** The buses the delivery suites run over, each suite once per bus: SPEAR_E2E_BUSES (default both). */
export const E2E_BUSES = (process.env.SPEAR_E2E_BUSES ?? 'redis,kafka').split(',').map((b) => b.trim()) as Array<'redis' | 'kafka'>;

/** Prints the services' last log lines when a test fails: the bed's folder is gone by the time anyone looks. */
export function printLogsOnFailure(bed: () => TestBed | undefined): void {
  afterEach((context) => {
    const current = bed();
    if (context.task.result?.state === 'fail' && current) console.error(`logs after "${context.task.name}" failed:\n${current.logTails()}`);
  });
}
