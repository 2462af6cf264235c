export * from './group-history';
export * from './groups/group-policy';
export * from './groups/group-presence';
export * from './groups/group-traffic';
export * from './groups/memberships';
export * from './log/durability';
export * from './log/log-options';
export * from './log/user-log';
export * from './redis-delivery-store';
export * from './route-table';
// The node core: one front door for a spear node's delivery (see node/node-core.ts).
export * from './node/client-events';
export * from './node/cluster';
export * from './node/delivery-store';
export * from './node/message-path';
export * from './node/node-core';
export * from './node/node-options';
export type { Session } from './node/session';
export * from './node/transport';
