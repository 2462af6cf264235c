export * from './bounded-sender';
export * from './contract';
export * from './stat-shipper';
