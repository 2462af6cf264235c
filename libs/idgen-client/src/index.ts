export * from './contract';
export * from './prefetching-id-source';
