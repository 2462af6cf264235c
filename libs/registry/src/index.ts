export * from './registry';
export * from './zookeeper-registry';
export * from './election';
export * from './lease';
export * from './zk-auth';
