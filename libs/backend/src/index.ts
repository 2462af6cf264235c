export { httpBackend } from './http';
export { SIGNATURE_HEADER, signBody, verifySignature } from './signature';
export { Pusher, type PushTarget } from './push';
export { serveBackend, type Backend, type BackendOptions } from './serve';
export * from './types';
