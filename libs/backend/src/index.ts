export { httpBackend, verifySignature } from './http';
export { Pusher, type PushTarget } from './push';
export { serveBackend, type Backend, type BackendOptions } from './serve';
export * from './types';
