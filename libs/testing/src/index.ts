// Public API of @spear/testing: real engines (ZooKeeper, Redis, Kafka) as child processes.
export type { EngineHandle, EngineName, EngineStatus, StartEngineOptions } from './engines/types';
export { freePort } from './engines/free-port';
export { KAFKA_VERSION, kafkaLibsDir, spearCacheDir } from './engines/paths';
export { startZooKeeper, type ZooKeeperHandle, type ZooKeeperOptions } from './engines/zookeeper';
export { zkStatus, zooKeeperStatus } from './engines/zookeeper-status';
export {
  startZooKeeperEnsemble,
  zooKeeperEnsembleServerDir,
  type ZooKeeperEnsembleHandle,
  type ZooKeeperEnsembleOptions,
  type ZooKeeperEnsembleServer,
  type ZooKeeperQuorum,
} from './engines/zookeeper-ensemble';
export { zooKeeperEnsembleStatus } from './engines/zookeeper-ensemble-status';
export { startRedis, type RedisHandle, type RedisOptions } from './engines/redis';
export type { RedisAclUser } from './engines/redis-acl';
export { makeRedisCertificate, type RedisCertificate } from './engines/redis-tls';
export { redisPing, redisStatus } from './engines/redis-status';
export {
  redisClusterNodeDir,
  startRedisCluster,
  type RedisClusterHandle,
  type RedisClusterNode,
  type RedisClusterOptions,
  type RedisFailover,
} from './engines/redis-cluster';
export { redisClusterStatus } from './engines/redis-cluster-status';
export { redisKeySlot } from './engines/redis-key-slot';
export { startKafka, type KafkaHandle, type KafkaOptions } from './engines/kafka';
export { kafkaListTopics, kafkaStatus } from './engines/kafka-status';
export {
  kafkaClusterNodeDir,
  startKafkaCluster,
  type KafkaClusterHandle,
  type KafkaClusterNode,
  type KafkaClusterOptions,
} from './engines/kafka-cluster';
export { kafkaBrokersAgree, kafkaClusterBrokerIds, kafkaClusterStatus } from './engines/kafka-cluster-status';
export { isEngineRunning, pidFilePath, readPidFile, stopByPidFile } from './engines/pid-file';
export { launchCluster, WORKSPACE_DIST, type ClusterHandle, type ClusterOptions } from './cluster/cluster';
export { writeClusterProfile, type ClusterProfileOptions, type EngineAddresses } from './cluster/cluster-profile';
export { SERVICE_V8_FLAGS, serviceNodeFlags, startServiceProcess, type ServiceProcess, type ServiceProcessSpec } from './cluster/service-process';
export { waitForHttpOk } from './cluster/http-wait';
export { waitUntilTicketSeesNodes } from './cluster/ticket-sees-nodes';
export { makeTempDir, removeTempDir } from './engines/temp-dir';
export { expireZooKeeperSession } from './engines/zookeeper-session';
export { pollUntil, until } from './until';
export { sleep, untilWindowHasRoom } from './engines/sleep';
export { isAlive } from './engines/stop-process';
export { formatLogTails } from './engines/log-tail';
export { machineBusyUs, procCpuUs, rssBytes } from './proc-stats';
export { keepAliveFetch } from './keep-alive-fetch';
export { adminHeaders, DEV_ADMIN_KEY, issueToken, type IssueTokenOptions } from './auth/admin';
export { signJwt } from './auth/jwt';
export { DEV_CLUSTER_SECRET, DEV_ZOOKEEPER_AUTH } from './auth/internal-planes';
