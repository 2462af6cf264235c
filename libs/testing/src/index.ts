// Public API of @spear/testing: real engines (ZooKeeper, Redis, Kafka) as child processes.
export type { EngineHandle, EngineName, EngineStatus, StartEngineOptions } from './engines/types';
export { freePort } from './engines/free-port';
export { KAFKA_VERSION, kafkaLibsDir, spearCacheDir } from './engines/paths';
export { startZooKeeper, type ZooKeeperHandle } from './engines/zookeeper';
export { zkStatus, zooKeeperStatus } from './engines/zookeeper-status';
export { startRedis, type RedisHandle, type RedisOptions } from './engines/redis';
export { redisPing, redisStatus } from './engines/redis-status';
export { startKafka, type KafkaHandle, type KafkaOptions } from './engines/kafka';
export { kafkaListTopics, kafkaStatus } from './engines/kafka-status';
export { isEngineRunning, pidFilePath, readPidFile, stopByPidFile } from './engines/pid-file';
export { launchCluster, WORKSPACE_DIST, type ClusterHandle, type ClusterOptions } from './cluster/cluster';
export { writeClusterProfile, type ClusterProfileOptions, type EngineAddresses } from './cluster/cluster-profile';
export { startServiceProcess, type ServiceProcess, type ServiceProcessSpec } from './cluster/service-process';
export { waitForHttpOk } from './cluster/http-wait';
export { makeTempDir, removeTempDir } from './engines/temp-dir';
export { expireZooKeeperSession } from './engines/zookeeper-session';
