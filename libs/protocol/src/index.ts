export * from './errors';
export * from './identifiers';
export * from './ticket-api';
export * from './spear-events';
