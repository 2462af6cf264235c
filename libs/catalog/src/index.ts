export * from './redis-key-families';
export * from './redis-keys';
export * from './spear-node-entry';
export * from './zk-paths';
