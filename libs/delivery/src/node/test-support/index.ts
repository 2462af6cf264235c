// In-memory stores, bus and transport for tests of the node core and of transports built on it
// (imported as @spear/delivery/testing; never part of a service bundle).
export * from './core-cluster';
export * from './memory-bus';
export * from './memory-stores';
export * from './recording-transport';
export * from './delivery-store-contract';
