export * from './redis-keys';
export * from './spear-node-entry';
export * from './zk-paths';
