export * from './layout';
export * from './errors';
export * from './id-string';
export * from './parse';
export * from './id-range';
export * from './id-range-cursor';
export * from './generator';
