export * from './jwt';
export * from './keys';
export * from './nonce-store';
export * from './ticket-codec';
