export * from './boot';
export * from './core.module';
export * from './health';
export * from './http/error-body.filter';
export * from './logger';
export * from './metrics';
export * from './redis';
export * from './service-context';
