export * from './defaults';
export * from './env';
export * from './errors';
export * from './load';
export * from './profile-files';
export * from './schema';
export * from './secrets';
