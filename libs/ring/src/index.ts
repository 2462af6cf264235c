export * from './hash-ring';
export * from './ring-cache';
export { ringSignature, type RingMember } from './signature';
export { ketamaHash } from './ketama';
