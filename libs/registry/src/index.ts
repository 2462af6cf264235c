export * from './registry';
export * from './zookeeper-registry';
