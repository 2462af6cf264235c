export * from './arrivals';
export * from './group-history';
export * from './inbox';
export * from './message-router';
export * from './node-batcher';
export * from './route-table';
