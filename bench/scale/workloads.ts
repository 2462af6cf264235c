/**
 * The scale bench's two workloads: `1:1`, every message from a sender on one
 * node to a receiver on another; `fanout`, one publisher to a group every
 * user joined, so its members sit on every node.
 */
export const WORKLOADS = ['1:1', 'fanout'] as const;
export type Workload = (typeof WORKLOADS)[number];
